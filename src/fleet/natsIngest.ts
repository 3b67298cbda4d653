/**
 * `ingest --from nats://…`: reads the fleet's stream through one durable pull
 * consumer into the store.
 *
 * A fetched batch is committed in one transaction and its messages are
 * acknowledged only after that commit returned; an ingest killed in between
 * leaves them unacknowledged, the server delivers them again after the ack
 * wait, and the store's unique keys absorb the copies (store/fleetStore.ts).
 * Only the holder of the lease (lease.ts) fetches: a second ingest started on
 * the same durable consumer stands by and takes over when the first dies.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JsMsg } from '@nats-io/jetstream';
import type { LineSink } from './sink.js';
import { SchemaTracker } from '../ingest/schemaTracker.js';
import { connectFleet, ensureConsumer, ensureStream, jetstreamManager } from './jetstream.js';
import { Lease, LEASE_TTL_MS } from './lease.js';
import { decodeLine } from './wire.js';
import type { NatsAuth } from './natsAuth.js';

export interface NatsIngestOptions {
  servers: string[];
  /** Credentials and TLS (src/fleet/natsAuth.ts). */
  auth?: NatsAuth | null;
  stream: string;
  durable: string;
  /** Messages per fetch and per transaction. */
  batch?: number;
  /** Unacknowledged messages are delivered again after this long. */
  ackWaitMs?: number;
  leaseTtlMs?: number;
  replicas?: number;
}

export interface NatsIngestTotals {
  predictions: number;
  labels: number;
  duplicates: number;
  quarantined: number;
  /** Messages committed and acknowledged. */
  messages: number;
  /** Of those, delivered more than once (after a crash or a takeover). */
  redelivered: number;
}

/** The durable consumer's backlog, as `--metrics` reports it. */
export interface ConsumerLag {
  /** Messages not acknowledged yet: not delivered (num_pending) plus delivered and waiting (num_ack_pending). */
  pending: number;
  /** Age of the oldest message not acknowledged, by the server's clock of its arrival; 0 with nothing pending. */
  oldestUnackedSeconds: number | null;
  /** When it was asked. */
  at: number;
}

export type NatsIngestNotice =
  | { kind: 'connected'; server: string }
  | { kind: 'standby'; holder: string }
  | { kind: 'active' }
  | { kind: 'lost-lease' }
  | { kind: 'retry'; error: string };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class NatsIngest extends EventEmitter {
  readonly totals: NatsIngestTotals = { predictions: 0, labels: 0, duplicates: 0, quarantined: 0, messages: 0, redelivered: 0 };
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly schema: SchemaTracker;
  private nc: NatsConnection | null = null;
  private lease: Lease | null = null;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private recent: Array<{ at: number; lines: number }> = [];
  private halt: (() => void) | null = null;
  private jsm: Awaited<ReturnType<typeof jetstreamManager>> | null = null;
  private lagState: ConsumerLag | null = null;
  private lagAsking = false;

  constructor(private readonly sink: LineSink, private readonly opts: NatsIngestOptions) {
    super();
    this.schema = new SchemaTracker(sink.schema());
  }

  private notice(n: NatsIngestNotice): void {
    this.emit('notice', n);
  }

  rate(windowMs = 3000): number {
    const since = Date.now() - windowMs;
    this.recent = this.recent.filter((r) => r.at >= since);
    return this.recent.reduce((s, r) => s + r.lines, 0) / (windowMs / 1000);
  }

  get active(): boolean {
    return this.lease?.owned === true;
  }

  async start(): Promise<void> {
    const nc = await connectFleet(this.opts.servers, `mlops-tui ingest ${this.holder}`, this.opts.auth);
    this.nc = nc;
    this.notice({ kind: 'connected', server: nc.getServer() });
    // No API check here: while the cluster elects a leader it times out, and the loop below retries.
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    this.jsm = jsm;
    let replicas = 1;
    for (;;) {
      try {
        replicas = (await ensureStream(jsm, nc, { name: this.opts.stream, replicas: this.opts.replicas })).replicas;
        await ensureConsumer(jsm, this.opts.stream, this.opts.durable, this.opts.ackWaitMs ?? 5000);
        break;
      } catch (err) {
        if (this.stopped) return;
        this.notice({ kind: 'retry', error: (err as Error).message });
        await sleep(1000);
      }
    }
    this.lease = new Lease(jsm, jsm.jetstream(), this.opts.stream, this.opts.durable, this.holder, replicas, this.opts.leaseTtlMs ?? LEASE_TTL_MS);
    this.lease.on('lost', () => this.notice({ kind: 'lost-lease' }));
    this.loop = this.run(jsm);
  }

  private async run(jsm: Awaited<ReturnType<typeof jetstreamManager>>): Promise<void> {
    const js = jsm.jetstream();
    const lease = this.lease!;
    while (!this.stopped) {
      try {
        if (!lease.owned) {
          if (!await lease.acquire((holder) => this.notice({ kind: 'standby', holder }))) return;
          this.notice({ kind: 'active' });
        }
        await this.consumeWhileOwned(js, lease);
      } catch (err) {
        if (this.stopped) return;
        this.notice({ kind: 'retry', error: (err as Error).message });
        await sleep(500);
      }
    }
  }

  /**
   * Messages stream in (the client keeps pull requests outstanding) and are
   * committed in batches of up to `batch`, or after 20 ms without a new one:
   * a full batch under load, little delay when the stream trickles.
   */
  private async consumeWhileOwned(js: ReturnType<Awaited<ReturnType<typeof jetstreamManager>>['jetstream']>, lease: Lease): Promise<void> {
    const size = this.opts.batch ?? 1000;
    const consumer = await js.consumers.get(this.opts.stream, this.opts.durable);
    const buf: JsMsg[] = [];
    let timer: NodeJS.Timeout | null = null;
    const flush = (): void => {
      if (timer) { clearTimeout(timer); timer = null; }
      if (buf.length === 0) return;
      const batch = buf.splice(0);
      try {
        this.commit(batch);
      } catch (err) {
        // Nothing committed (a locked or full database): the server sends these again a second later.
        for (const m of batch) m.nak(1000);
        this.notice({ kind: 'retry', error: `store commit failed: ${(err as Error).message}` });
      }
    };
    const messages = await consumer.consume({
      max_messages: size * 2,
      // Pull requests live 5 s (default 30 s): when a NATS node dies and the consumer's
      // leader moves, a lost request is replaced within seconds, not half a minute.
      expires: 5000,
      callback: (m) => {
        buf.push(m);
        if (buf.length >= size) flush();
        else if (timer === null) timer = setTimeout(flush, 20);
      },
    });
    const halt = (): void => { flush(); messages.stop(); };
    this.halt = halt;
    lease.once('lost', halt);
    if (this.stopped || !lease.owned) halt();
    try {
      const err = await messages.closed();
      if (err && !this.stopped && lease.owned) throw err;
    } finally {
      lease.off('lost', halt);
      this.halt = null;
      flush();
    }
  }

  private commit(msgs: JsMsg[]): void {
    const lines = msgs.map((m) => decodeLine(m.data, `${m.info.stream}:${m.seq}`, m.subject));
    const fields = this.schema.observe(lines.flatMap((l) => (l.kind === 'prediction' ? [l.record] : [])));
    let result;
    try {
      result = this.sink.commit(lines, fields);
    } catch (err) {
      // Nothing committed: the messages come again after the ack wait, and so do their new fields.
      this.schema.forget(fields);
      throw err;
    }
    for (const m of msgs) {
      m.ack();
      if (m.redelivered) this.totals.redelivered++;
    }
    this.totals.predictions += result.predictions;
    this.totals.labels += result.labels;
    this.totals.duplicates += result.duplicates;
    this.totals.quarantined += result.quarantined;
    this.totals.messages += msgs.length;
    this.recent.push({ at: Date.now(), lines: msgs.length });
    this.emit('batch', result);
  }

  /**
   * The consumer's backlog from the server (a standby sees it too: it is the consumer's, not
   * this process's). Asked in the background at most every 2 s, so a metrics scrape never
   * waits on NATS; null until the first answer.
   */
  lag(): ConsumerLag | null {
    if (!this.lagAsking && this.jsm && (this.lagState === null || Date.now() - this.lagState.at >= 2000)) void this.refreshLag(this.jsm);
    return this.lagState;
  }

  private async refreshLag(jsm: Awaited<ReturnType<typeof jetstreamManager>>): Promise<void> {
    this.lagAsking = true;
    try {
      const ci = await jsm.consumers.info(this.opts.stream, this.opts.durable);
      const pending = ci.num_pending + ci.num_ack_pending;
      let age: number | null = 0;
      if (pending > 0) {
        // Everything at or below the ack floor is acknowledged: the next one is the oldest that is not.
        const m = await jsm.streams.getMessage(this.opts.stream, { seq: ci.ack_floor.stream_seq + 1 }).catch(() => null);
        age = m ? Math.max(0, (Date.now() - m.time.getTime()) / 1000) : null;
      }
      this.lagState = { pending, oldestUnackedSeconds: age, at: Date.now() };
    } catch {
      // The server is away or the consumer not made yet: the last answer stands until the next one.
    } finally {
      this.lagAsking = false;
    }
  }

  /** Stops fetching, lets the batch in hand commit and be acknowledged, and hands the lease over. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.lease?.abandon();
    this.halt?.();
    await this.loop?.catch(() => undefined);
    await this.lease?.release();
    if (this.nc) {
      await this.nc.flush().catch(() => undefined);
      await this.nc.close();
    }
  }
}

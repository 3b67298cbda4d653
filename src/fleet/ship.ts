/**
 * `ship`: runs on a serving host, tails its prediction logs and publishes each
 * line to JetStream.
 *
 * Reading is the local ingest's own reader (IngestService/FileIngestor: file
 * identity, rotation, truncation, quarantine) over a ledger whose commit writes
 * to an on-disk spool instead of the prediction tables (store/shipSpool.ts). A
 * publisher drains the spool in order, each line with a message id that makes
 * a re-send idempotent, and deletes a spool row only after the server's
 * acknowledgement. So the server being away costs nothing but spool space;
 * when the spool reaches its bound, reading pauses and the lines wait in the
 * log files (said on stderr), and it resumes when the server is back.
 */
import { EventEmitter } from 'node:events';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Db } from '../../store/db.js';
import { ShipLedger, SpoolFullError } from '../../store/shipSpool.js';
import { IngestService } from '../ingest/ingestService.js';
import type { Redactor } from '../redact/redact.js';
import type { IngestLimits } from '../ingest/fileIngestor.js';
import { FleetAuthError, connectFleet, ensureStream, jetstreamManager } from './jetstream.js';
import { encodeLine, hostSubject, messageId } from './wire.js';
import { AckPublisher } from './publisher.js';
import type { NatsAuth } from './natsAuth.js';

export interface ShipOptions {
  dir: string;
  servers: string[];
  /** Credentials and TLS (src/fleet/natsAuth.ts). */
  auth?: NatsAuth | null;
  stream: string;
  host: string;
  replicas?: number;
  /** Lines kept on disk while the server is away; reading pauses beyond. */
  spoolMax: number;
  pollMs?: number;
  limits?: Partial<IngestLimits>;
  /** Lines in flight per publish round. */
  window?: number;
  /** Config `redact`, applied before a line is spooled or published: raw values stay on this host. */
  redact?: Redactor | null;
}

export interface ShipTotals {
  /** Lines read from the files into the spool. */
  read: number;
  /** Lines acknowledged by the server (stored, or recognised as an earlier copy). */
  shipped: number;
  /** Acknowledged as a copy of a line the server already had (a re-send after a crash). */
  resent: number;
}

export type ShipNotice =
  | { kind: 'connected'; server: string }
  | { kind: 'stream'; name: string; created: boolean; replicas: number }
  | { kind: 'away'; error: string; pending: number }
  | { kind: 'back'; pending: number }
  | { kind: 'spool-full'; pending: number; bound: number }
  | { kind: 'spool-resumed'; pending: number };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Shipper extends EventEmitter {
  readonly ledger: ShipLedger;
  readonly service: IngestService;
  readonly totals: ShipTotals = { read: 0, shipped: 0, resent: 0 };
  private nc: NatsConnection | null = null;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private away = false;
  private full = false;
  private wake: (() => void) | null = null;
  private idleWaiters: Array<() => void> = [];
  private recent: Array<{ at: number; lines: number }> = [];
  private readonly window: number;

  constructor(db: Db, private readonly opts: ShipOptions) {
    super();
    this.window = opts.window ?? 2000;
    this.ledger = new ShipLedger(db, (fileId, path, kind, record) => encodeLine(opts.host, this.ledger.shipId, fileId, path, kind, record), opts.spoolMax);
    // Small reads: the spool's bound is checked per batch, so a batch is what it can overshoot by.
    this.service = new IngestService(this.ledger, { dir: opts.dir, limits: { chunkBytes: 64 * 1024, ...opts.limits }, pollMs: opts.pollMs, redact: opts.redact });
    this.service.on('batch', (c: { result: { predictions: number; labels: number; quarantined: number } }) => {
      this.totals.read += c.result.predictions + c.result.labels + c.result.quarantined;
      this.wake?.();
    });
    this.service.on('error', (e: Error) => this.emit('error', e));
  }

  private notice(n: ShipNotice): void {
    this.emit('notice', n);
  }

  /** Lines acknowledged per second over the last few seconds. */
  rate(windowMs = 3000): number {
    const since = Date.now() - windowMs;
    this.recent = this.recent.filter((r) => r.at >= since);
    return this.recent.reduce((s, r) => s + r.lines, 0) / (windowMs / 1000);
  }

  get pending(): number {
    return this.ledger.pending;
  }

  /** Starts watching (reading goes on while the server is away) and publishing. */
  async start(): Promise<void> {
    await this.service.start();
    this.loop = this.publish();
  }

  /** Reads every file once, up to its end (`ship --once`), then publishes like `start`. */
  async startOnce(): Promise<void> {
    await this.service.scanOnce();
    this.loop = this.publish();
  }

  /** Resolves when the files are read and the spool is empty: everything read was acknowledged. */
  async drained(): Promise<void> {
    await this.service.idle();
    if (this.ledger.pending === 0 && !this.full) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
    await this.drained();
  }

  /**
   * The publisher; an unexpected failure is reported and the publisher starts over (the spool keeps every line).
   * Refused credentials end it with a 'fatal' event (FleetAuthError).
   */
  private async publish(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.run();
        return;
      } catch (err) {
        if (err instanceof FleetAuthError) {
          // Refused credentials or TLS: no retry cures that; the lines stay in the spool and the files.
          this.emit('fatal', err);
          return;
        }
        this.emit('error', err instanceof Error ? err : new Error(String(err)));
        if (this.nc) { await this.nc.close().catch(() => undefined); this.nc = null; }
        await sleep(1000);
      }
    }
  }

  private async run(): Promise<void> {
    const nc = await connectFleet(this.opts.servers, `mlops-tui ship ${this.opts.host}`, this.opts.auth);
    if (this.stopped) { await nc.close(); return; }
    this.nc = nc;
    this.notice({ kind: 'connected', server: nc.getServer() });
    void this.watchStatus(nc);
    // No API check here: while the cluster elects a leader it times out, and the loop below retries.
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    for (;;) {
      if (this.stopped) return;
      try {
        const s = await ensureStream(jsm, nc, { name: this.opts.stream, replicas: this.opts.replicas });
        this.notice({ kind: 'stream', name: this.opts.stream, created: s.created, replicas: s.replicas });
        break;
      } catch (err) {
        this.goneAway(err);
        await sleep(1000);
      }
    }
    const publisher = new AckPublisher(nc);
    const subject = hostSubject(this.opts.stream, this.opts.host);
    const ship = this.ledger.shipId;
    let backoff = 250;
    // A window of messages in flight, refilled as acknowledgements come back, so the
    // server always has work (a stop-and-wait round per batch left it idle between rounds).
    let cursor = 0;
    let inflight = 0;
    let acked: number[] = [];
    let failure: unknown = null;
    const settle = (): void => {
      inflight--;
      if (inflight <= this.window / 2) this.wake?.();
    };
    const commitAcks = (): void => {
      if (acked.length === 0) return;
      const ids = acked;
      acked = [];
      this.ledger.acknowledge(ids);
      this.totals.shipped += ids.length;
      this.recent.push({ at: Date.now(), lines: ids.length });
      this.resumeReading();
      if (failure === null) {
        backoff = 250;
        if (this.away) {
          this.away = false;
          this.notice({ kind: 'back', pending: this.ledger.pending });
        }
      }
    };
    const pause = (ms: number): Promise<void> => new Promise<void>((r) => {
      const t = setTimeout(() => { this.wake = null; r(); }, ms);
      this.wake = () => { clearTimeout(t); this.wake = null; r(); };
    });
    while (!this.stopped) {
      this.resumeReading();
      commitAcks();
      // Spool ids are SQLite rowids, which are reused once the rows above them are deleted:
      // with nothing in flight, every spooled line is unsent, so start again from the oldest.
      if (inflight === 0) cursor = 0;
      let sent = 0;
      if (failure === null && inflight < this.window) {
        for (const row of this.ledger.peekAfter(cursor, this.window - inflight)) {
          cursor = row.id;
          inflight++;
          sent++;
          publisher.publish(subject, row.body, messageId(ship, row.file_id, row.line_no)).then(
            (a) => { acked.push(row.id); if (a.duplicate) this.totals.resent++; },
            (err: unknown) => { if (failure === null) failure = err; },
          ).finally(settle);
        }
      }
      commitAcks();
      if (failure !== null) {
        // Let what is in flight settle, then send again from the oldest unacknowledged line.
        if (inflight > 0) { await pause(50); continue; }
        commitAcks();
        this.goneAway(failure);
        failure = null;
        cursor = 0;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
        continue;
      }
      if (inflight === 0 && sent === 0) {
        this.flushIdle();
        await pause(200);
        continue;
      }
      await pause(sent > 0 ? 5 : 50);
    }
    // Stopping: give the acknowledgements in flight a moment, so their lines are not sent twice.
    for (let i = 0; i < 40 && inflight > 0; i++) await sleep(50);
    commitAcks();
    publisher.close();
  }

  private goneAway(err: unknown): void {
    if (this.away) return;
    this.away = true;
    this.notice({ kind: 'away', error: err instanceof Error ? err.message : String(err), pending: this.ledger.pending });
  }

  /** The reader was refused a batch (spool at its bound); once there is room, every file is looked at again. */
  private resumeReading(): void {
    if (this.ledger.refused && !this.full) {
      this.full = true;
      this.notice({ kind: 'spool-full', pending: this.ledger.pending, bound: this.ledger.bound });
    }
    if (this.full && this.ledger.pending <= this.ledger.bound * 0.9) {
      this.full = false;
      this.ledger.refused = false;
      this.notice({ kind: 'spool-resumed', pending: this.ledger.pending });
      for (const p of this.service.listFiles()) this.service.schedule(p);
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.goneAway(new Error(`disconnected from ${s.server}`));
    }
  }

  private flushIdle(): void {
    if (this.ledger.refused) this.resumeReading();
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  /** Stops reading and publishing. What was read and not acknowledged stays in the spool for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.service.stop();
    if (this.nc) {
      await this.loop?.catch(() => undefined);
      await this.nc.close();
    }
    this.flushIdle();
  }
}

export { SpoolFullError };

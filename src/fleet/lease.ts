/**
 * Which ingest reads the durable consumer: a lease kept in JetStream itself,
 * so an active ingest and its standby on another host need nothing but the
 * NATS cluster to agree.
 *
 * The lease is the last message on one subject of a small stream (one message
 * per subject). The holder renews it every third of the TTL by publishing with
 * "expected last subject sequence" set to its own last renewal, so a renewal
 * after someone else took over fails and the holder steps down. A standby
 * watches the sequence; when it has not moved for a whole TTL (measured on the
 * standby's own monotonic clock, so clocks of different hosts never matter)
 * or the holder released it on a clean stop, the standby takes it the same way.
 * Two standbys racing for it: the server accepts exactly one.
 */
import { EventEmitter } from 'node:events';
import { JetStreamApiError, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';

export const LEASE_TTL_MS = 3000;
const WRONG_LAST_SEQUENCE = 10071;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Lease extends EventEmitter {
  private seq = 0;
  private held = false;
  private stopped = false;
  private renewer: NodeJS.Timeout | null = null;
  private readonly streamName: string;
  private readonly subject: string;

  constructor(private readonly jsm: JetStreamManager, private readonly js: JetStreamClient, stream: string, durable: string,
    private readonly holder: string, private readonly replicas: number, private readonly ttlMs = LEASE_TTL_MS) {
    super();
    this.streamName = `${stream}_LEASE`;
    this.subject = `${stream}_LEASE.${durable.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }

  get owned(): boolean {
    return this.held;
  }

  private async ensureStream(): Promise<void> {
    try {
      await this.jsm.streams.info(this.streamName);
    } catch {
      try {
        await this.jsm.streams.add({ name: this.streamName, subjects: [`${this.streamName}.>`], max_msgs_per_subject: 1, storage: StorageType.File, num_replicas: this.replicas });
      } catch (err) {
        await this.jsm.streams.info(this.streamName).catch(() => { throw err; });
      }
    }
  }

  /** Publishes a renewal expecting `expect` as the last sequence; false when someone else moved it. */
  private async cas(expect: number, released = false): Promise<boolean> {
    try {
      const ack = await this.js.publish(this.subject, JSON.stringify({ holder: this.holder, released }), { expect: { lastSubjectSequence: expect }, timeout: this.ttlMs });
      this.seq = ack.seq;
      return true;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === WRONG_LAST_SEQUENCE) return false;
      throw err;
    }
  }

  /** Waits until this process holds the lease (standing by while another does), then keeps renewing it. */
  async acquire(onStandby?: (holder: string) => void): Promise<boolean> {
    let seen = -1;
    let ready = false;
    let since = performance.now();
    let announced = false;
    while (!this.stopped) {
      try {
        if (!ready) { await this.ensureStream(); ready = true; }
        const last = await this.jsm.streams.getMessage(this.streamName, { last_by_subj: this.subject });
        const seq = last?.seq ?? 0;
        const body = last ? JSON.parse(Buffer.from(last.data).toString('utf8')) as { holder: string; released: boolean } : null;
        if (seq !== seen) { seen = seq; since = performance.now(); }
        const free = last === null || body?.released === true || performance.now() - since >= this.ttlMs;
        if (free && await this.cas(seq)) break;
        if (!free && !announced && body) { announced = true; onStandby?.(body.holder); }
      } catch {
        // The cluster is electing a leader or unreachable: look again.
      }
      await sleep(this.ttlMs / 6);
    }
    if (this.stopped) return false;
    this.held = true;
    this.renewer = setInterval(() => { void this.renew(); }, this.ttlMs / 3);
    return true;
  }

  private async renew(): Promise<void> {
    if (!this.held) return;
    try {
      if (!await this.cas(this.seq)) this.lose();
    } catch {
      // Not reachable this round; a standby takes over only after a whole TTL without renewal.
    }
  }

  private lose(): void {
    if (!this.held) return;
    this.held = false;
    if (this.renewer) clearInterval(this.renewer);
    this.renewer = null;
    this.emit('lost');
  }

  /** Stops waiting for the lease (a standby that is shutting down); a held lease is kept until release(). */
  abandon(): void {
    this.stopped = true;
  }

  /** Gives the lease up on a clean stop, so a standby takes over at once instead of after the TTL. */
  async release(): Promise<void> {
    this.stopped = true;
    if (this.renewer) clearInterval(this.renewer);
    this.renewer = null;
    if (this.held) {
      this.held = false;
      await this.cas(this.seq, true).catch(() => false);
    }
  }
}

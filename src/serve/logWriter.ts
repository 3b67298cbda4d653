/**
 * The serving log, written off the request path: a request queues its lines and is answered;
 * one asynchronous append per file carries everything queued in the last few milliseconds
 * (`batchMs`). At 1,000 requests/s that is about one write every `batchMs` instead of 1,000
 * synchronous ones on the event loop. `close()` (shutdown, SIGTERM) writes whatever is queued
 * before it resolves, so a request that was answered is in the log once the server has stopped.
 *
 * Why a window and not "whatever arrived in this turn of the event loop": at 1,000 requests/s a
 * turn holds about one request, so that was one write per request, and every asynchronous
 * write wakes a thread of libuv's pool. On a 2-core machine the woken thread preempts the event
 * loop: `node --cpu-prof` of `serve` at 1,000 requests/s put 5–9% of the event loop's time in
 * the write call itself (bench/README.md, "serve").
 *
 * Memory is bounded: past `maxQueuedLines` a request waits for the write in flight before its
 * lines are queued (backpressure instead of an unbounded queue when the disk is slow).
 */
import { open, type FileHandle } from 'node:fs/promises';

/**
 * A file stays open between batches (an open and a close per batch cost more than the write
 * at thousands of requests/s), and is reopened by name at most this often, so a log renamed
 * or removed by the operator (logrotate) is followed within a second.
 */
const REOPEN_MS = 1000;

/** How long the first queued line waits for others to share its write. */
export const BATCH_MS = 10;

export interface LogWriterOptions {
  /** Lines queued before appenders wait for the disk. */
  maxQueuedLines?: number;
  /** How long queued lines wait for more before they are written (default BATCH_MS). */
  batchMs?: number;
  /** Called when a write fails; the lines stay queued and are retried with the next write. */
  onError?: (err: Error) => void;
}

export class LogWriter {
  private queue = new Map<string, string[]>();
  private queued = 0;
  private writing: Promise<void> | null = null;
  private scheduled = false;
  private closed = false;
  private readonly files = new Map<string, { handle: FileHandle; openedAt: number }>();
  private readonly maxQueued: number;
  private readonly batchMs: number;
  private readonly onError: (err: Error) => void;
  /** Lines written so far (for /metrics and the tests). */
  written = 0;

  constructor(opts: LogWriterOptions = {}) {
    this.maxQueued = opts.maxQueuedLines ?? 100_000;
    this.batchMs = opts.batchMs ?? BATCH_MS;
    this.onError = opts.onError ?? (() => {});
  }

  /** Lines waiting to be written. */
  get depth(): number {
    return this.queued;
  }

  /**
   * Queues lines (without their newlines) for `path`. Resolves at once unless the queue is
   * full, in which case it resolves when there is room again.
   */
  async append(path: string, lines: string[]): Promise<void> {
    if (this.closed) throw new Error('the serving log is closed');
    for (let wait = this.room(); wait !== null; wait = this.room()) await wait;
    this.push(path, lines);
  }

  /**
   * Null when the queue has room, else a promise that settles when the write in flight does
   * (then ask again). A caller that waits for room before answering and then `push`es keeps
   * memory bounded as `append` does, without a promise per request when there is room.
   */
  room(): Promise<void> | null {
    return this.queued >= this.maxQueued && this.writing !== null ? this.writing.catch(() => {}) : null;
  }

  /** Queues lines now, whatever the queue's length (see room()). */
  push(path: string, lines: readonly string[]): void {
    if (this.closed) throw new Error('the serving log is closed');
    let q = this.queue.get(path);
    if (q === undefined) {
      q = [];
      this.queue.set(path, q);
    }
    for (const l of lines) q.push(l);
    this.queued += lines.length;
    this.schedule(this.batchMs);
  }

  private schedule(delayMs = 0): void {
    if (this.scheduled || this.writing !== null) return;
    this.scheduled = true;
    const write = (): void => {
      this.scheduled = false;
      if (this.writing !== null) return; // flush() got there first
      const w = this.writeQueued();
      this.writing = w;
      w.then(
        () => { this.writing = null; if (this.queued > 0 && !this.closed) this.schedule(this.batchMs); },
        // A failing disk is retried once a second, not in a busy loop.
        () => { this.writing = null; if (!this.closed) this.schedule(1000); },
      );
    };
    // unref: a queue waiting for its window does not keep the process alive; close() writes it.
    if (delayMs > 0) setTimeout(write, delayMs).unref();
    else setImmediate(write);
  }

  private async writeQueued(): Promise<void> {
    const batch = this.queue;
    this.queue = new Map();
    const now = Date.now();
    for (const [path, f] of this.files) {
      if (now - f.openedAt >= REOPEN_MS || !batch.has(path)) {
        this.files.delete(path);
        await f.handle.close().catch(() => {});
      }
    }
    const entries = [...batch];
    for (let i = 0; i < entries.length; i++) {
      const [path, lines] = entries[i];
      try {
        let f = this.files.get(path);
        if (f === undefined) {
          f = { handle: await open(path, 'a'), openedAt: now };
          this.files.set(path, f);
        }
        await f.handle.appendFile(`${lines.join('\n')}\n`);
        this.queued -= lines.length;
        this.written += lines.length;
      } catch (err) {
        // This file's lines and those of the files not reached go back in front of anything
        // queued since, in order, for the next write; the file is reopened then.
        const f = this.files.get(path);
        this.files.delete(path);
        await f?.handle.close().catch(() => {});
        for (const [p, ls] of entries.slice(i)) this.queue.set(p, [...ls, ...(this.queue.get(p) ?? [])]);
        this.onError(err as Error);
        throw err;
      }
    }
  }

  /** Writes everything queued, including what arrives while writing. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.writing !== null) {
        await this.writing.catch(() => {});
        continue;
      }
      if (this.queued === 0) return;
      this.writing = this.writeQueued().finally(() => { this.writing = null; });
      await this.writing;
    }
  }

  /** Refuses new lines and writes what is queued. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    for (const f of this.files.values()) await f.handle.close();
    this.files.clear();
  }
}

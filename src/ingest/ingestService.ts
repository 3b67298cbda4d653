/**
 * Watches a directory of prediction logs and keeps the store caught up.
 *
 * chokidar reports adds and changes; a changed path is queued once however
 * many events it gets, so a burst of appends costs one extra read, not one per
 * event. A slow poll backs the events up: watch events can be coalesced or
 * lost (network filesystems, copytruncate), and a poll costs one stat per file.
 * `idle()` resolves when every known change has been committed — tests and the
 * console wait on it instead of sleeping.
 */
import { watch, type FSWatcher } from 'chokidar';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EventEmitter } from 'node:events';
import type { IngestStore } from '../../store/ingestStore.js';
import { FileIngestor, DEFAULT_LIMITS, type CommittedBatch, type FileScan, type IngestLimits } from './fileIngestor.js';
import { SchemaTracker } from './schemaTracker.js';
import { TimeRange, type TimeRangeRule } from '../core/timeRange.js';
import { timeRangeOf, type Config } from '../config.js';

export function isLogFile(name: string): boolean {
  return name.endsWith('.jsonl') || name.endsWith('.jsonl.gz');
}

export interface IngestServiceOptions {
  dir: string;
  limits?: Partial<IngestLimits>;
  pollMs?: number;
  /** Event times outside this range are quarantined (default: from 1970 to a day ahead). */
  timeRange?: TimeRangeRule;
}

/** The one reading of the config's ingest section, for the console's engine and `ingest`. */
export function ingestOptions(cfg: Config): IngestServiceOptions {
  return {
    dir: cfg.watch,
    limits: { maxLineBytes: cfg.ingest.maxLineBytes },
    pollMs: cfg.ingest.pollMs,
    timeRange: timeRangeOf(cfg),
  };
}

export interface IngestTotals {
  predictions: number;
  labels: number;
  duplicates: number;
  quarantined: number;
  lines: number;
}

export class IngestService extends EventEmitter {
  readonly dir: string;
  readonly schema: SchemaTracker;
  readonly totals: IngestTotals = { predictions: 0, labels: 0, duplicates: 0, quarantined: 0, lines: 0 };
  private readonly ingestor: FileIngestor;
  private worker: Promise<void> | null = null;
  private fileCount = 0;
  private readonly dirty = new Set<string>();
  private readonly sizes = new Map<string, number>();
  private watcher: FSWatcher | null = null;
  private poll: NodeJS.Timeout | null = null;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private readonly pollMs: number;
  private recent: Array<{ at: number; lines: number }> = [];

  constructor(store: IngestStore, opts: IngestServiceOptions) {
    super();
    this.dir = resolve(opts.dir);
    this.pollMs = opts.pollMs ?? 1000;
    this.schema = new SchemaTracker(store.schema());
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    const range = new TimeRange(opts.timeRange, store.newestTs());
    this.ingestor = new FileIngestor(store, this.schema, limits, (c) => this.committed(c), range);
  }

  private committed(c: CommittedBatch): void {
    const r = c.result;
    const lines = c.batch.predictions.length + c.batch.labels.length + c.batch.quarantined.length;
    this.totals.predictions += r.predictions;
    this.totals.labels += r.labels;
    this.totals.duplicates += r.duplicates;
    this.totals.quarantined += r.quarantined;
    this.totals.lines += lines;
    this.recent.push({ at: Date.now(), lines });
    this.emit('batch', c);
  }

  /** Log files in the watched directory at the last poll (no directory read per call). */
  get files(): number {
    return this.fileCount;
  }

  /** Lines committed per second over the last few seconds. */
  rate(windowMs = 3000): number {
    const since = Date.now() - windowMs;
    this.recent = this.recent.filter((r) => r.at >= since);
    return this.recent.reduce((s, r) => s + r.lines, 0) / (windowMs / 1000);
  }

  listFiles(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    // Oldest first, so a rotated file is read before the one that replaced it.
    return names.filter(isLogFile).map((n) => join(this.dir, n))
      .map((p) => { try { return { p, m: statSync(p).mtimeMs }; } catch { return null; } })
      .filter((x): x is { p: string; m: number } => x !== null)
      .sort((a, b) => a.m - b.m || a.p.localeCompare(b.p)).map((x) => x.p);
  }

  /** Reads every log file once, up to its current end. */
  async scanOnce(): Promise<FileScan[]> {
    const out: FileScan[] = [];
    for (const p of this.listFiles()) {
      const s = await this.ingestor.scan(p);
      if (s !== null) out.push(s);
    }
    return out;
  }

  /**
   * Queues a scan of `path`. Scans run one at a time, oldest file first: one
   * writer keeps SQLite uncontended, and rows land in roughly the order they
   * were written, which the analytics' time windows rely on.
   */
  schedule(path: string): void {
    if (this.stopped) return;
    this.dirty.add(path);
    if (this.worker !== null) return;
    this.worker = (async () => {
      try {
        while (this.dirty.size > 0 && !this.stopped) {
          const next = this.oldestDirty();
          this.dirty.delete(next);
          try {
            await this.ingestor.scan(next);
          } catch (err) {
            this.emit('error', err);
          }
        }
      } finally {
        this.worker = null;
        this.flushIdle();
      }
    })();
  }

  private oldestDirty(): string {
    let best = '';
    let bestM = Infinity;
    for (const p of this.dirty) {
      let m = -Infinity;
      try { m = statSync(p).mtimeMs; } catch { /* vanished: scan reports it */ }
      if (m < bestM || (m === bestM && p < best)) { best = p; bestM = m; }
    }
    return best;
  }

  private flushIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
    this.emit('idle');
  }

  /** Resolves once no scan is running or queued. */
  idle(): Promise<void> {
    if (this.worker === null) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Scans every file whose size changed since the last look (the poll). */
  pollNow(): void {
    const files = this.listFiles();
    this.fileCount = files.length;
    for (const p of files) {
      let size: number;
      try { size = statSync(p).size; } catch { continue; }
      if (this.sizes.get(p) !== size) {
        this.sizes.set(p, size);
        this.schedule(p);
      }
    }
  }

  async start(): Promise<void> {
    this.pollNow();
    this.watcher = watch(this.dir, {
      depth: 0,
      ignoreInitial: true,
      ignored: (p: string, stats?: { isFile(): boolean }) => stats?.isFile() === true && !isLogFile(p),
    });
    const onFile = (p: string): void => {
      if (!isLogFile(p)) return;
      try { this.sizes.set(p, statSync(p).size); } catch { /* gone again */ }
      this.schedule(p);
    };
    // unlink: a file renamed away still has unread lines behind our open descriptor.
    this.watcher.on('add', onFile).on('change', onFile).on('unlink', (p: string) => { if (isLogFile(p)) this.schedule(p); })
      .on('error', (e) => this.emit('error', e));
    await new Promise<void>((r) => this.watcher!.once('ready', () => r()));
    this.poll = setInterval(() => this.pollNow(), this.pollMs);
    this.poll.unref();
  }

  /** Stops watching and waits for the scans in flight: what they read is committed. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.ingestor.stopRequested = true;
    if (this.poll) clearInterval(this.poll);
    await this.watcher?.close();
    await this.worker;
    this.ingestor.close();
  }
}

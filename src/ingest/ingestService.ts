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
import { parseDuration, parseTime } from '../core/time.js';
import { watch, type FSWatcher } from 'chokidar';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EventEmitter } from 'node:events';
import { FILE_LIVE, type IngestStore } from '../../store/ingestStore.js';
import { FileIngestor, DEFAULT_LIMITS, type CommittedBatch, type FileScan, type IngestLimits } from './fileIngestor.js';
import { SchemaTracker } from './schemaTracker.js';
import { TimeRange, type TimeRangeRule } from '../core/timeRange.js';
import { ConfigError, type Config } from '../config.js';
import { redactorFor, type Redactor } from '../redact/redact.js';
import { writeIngestHealth } from './ingestHealth.js';
import { ParsePipeline } from './parsePipeline.js';

/** A queue entry that is no path: read the rotated files still being drained. */
const DRAIN = '\0drain';

export function isLogFile(name: string): boolean {
  return name.endsWith('.jsonl') || name.endsWith('.jsonl.gz');
}

export interface IngestServiceOptions {
  dir: string;
  limits?: Partial<IngestLimits>;
  pollMs?: number;
  /** Event times outside this range are quarantined (default: from 1970 to a day ahead). */
  timeRange?: TimeRangeRule;
  /** The database file: a problem that outlasts a retry is written beside it for `status`. */
  dbPath?: string;
  /** Distinct feature names the schema may hold (default 1000); rows past it are quarantined. */
  maxFeatureNames?: number;
  /** Backoff of a failed commit: first delay and cap, ms (default 250 and 5000). */
  retry?: { firstMs: number; maxMs: number };
  /** Applied to every batch before it is stored (config `redact`). */
  redact?: Redactor | null;
  /** Parse plain files on a worker thread while this one inserts (the `ingest` command; see parsePipeline.ts). */
  parseWorker?: boolean;
}

/**
 * A commit that failed for a reason outside the file (the database locked by a writer
 * holding it past busy_timeout, a full disk, an I/O error): retried, never given up on.
 * Anything else is about the file itself (a directory named *.jsonl, no permission).
 */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|PROTOCOL|NOMEM)/.test(code) || code === 'ENOSPC';
}

function describeFailure(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'database or disk is full';
  return (err as Error).message;
}

/** Why a file could not be read, in words (node's messages repeat the path and the syscall). */
function unreadable(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'it is a directory'
      : code === 'ELOOP' ? 'a symbolic link loop'
        : (err as Error).message;
  return `skipped ${path}: ${why}`;
}

/** The event-time range ingest and `serve` accept, from the config. */
export function timeRangeOf(cfg: Config): TimeRangeRule {
  const notBefore = parseTime(cfg.ingest.notBefore);
  if (notBefore === null) throw new ConfigError(`config key "ingest.notBefore" must be an ISO 8601 date such as "1970-01-01"`);
  return { notBefore, maxAheadMs: parseDuration(cfg.ingest.maxAhead) };
}

/** Bytes per transaction of the `ingest` command (the engine's are DEFAULT_LIMITS.chunkBytes). */
export const BULK_CHUNK_BYTES = 4 * 1024 * 1024;

/** The one reading of the config's ingest section, for the console's engine and `ingest`. */
export function ingestOptions(cfg: Config): IngestServiceOptions {
  return {
    dir: cfg.watch,
    dbPath: cfg.db,
    maxFeatureNames: cfg.ingest.maxFeatureNames,
    limits: { maxLineBytes: cfg.ingest.maxLineBytes, rotationGraceMs: parseDuration(cfg.ingest.rotationGrace) },
    pollMs: cfg.ingest.pollMs,
    timeRange: timeRangeOf(cfg),
    redact: redactorFor(cfg),
  };
}

export interface IngestTotals {
  predictions: number;
  labels: number;
  duplicates: number;
  quarantined: number;
  /** Lines whose key was stored with other content (kept in the conflicts table). */
  conflicts: number;
  lines: number;
}

export class IngestService extends EventEmitter {
  readonly dir: string;
  readonly schema: SchemaTracker;
  readonly totals: IngestTotals = { predictions: 0, labels: 0, duplicates: 0, quarantined: 0, conflicts: 0, lines: 0 };
  private readonly ingestor: FileIngestor;
  private readonly parser: ParsePipeline | null;
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
  private readonly dbPath: string | null;
  private readonly retry: { firstMs: number; maxMs: number };
  private trouble: { problem: string; since: number; attempts: number } | null = null;
  private wake: (() => void) | null = null;
  private dirMissing = false;
  /** Files that could not be read (path → why), reported once until they change. */
  readonly skipped = new Map<string, string>();

  constructor(private readonly store: IngestStore, opts: IngestServiceOptions) {
    super();
    this.dir = resolve(opts.dir);
    this.pollMs = opts.pollMs ?? 1000;
    this.dbPath = opts.dbPath ?? null;
    this.retry = opts.retry ?? { firstMs: 250, maxMs: 5000 };
    this.schema = new SchemaTracker(store.schema(), opts.maxFeatureNames);
    // `ingest` (the parse thread's path) is a bulk writer: 4 MiB per transaction writes each page
    // of the request index a random id dirties once per 4 MiB instead of once per MiB (UUIDv4 ids
    // 97k → 119–121k lines/s on a quiet machine; time-ordered ids unchanged within noise). The
    // console's engine keeps 1 MiB, so its thread is never held by one commit for long.
    const limits = { ...DEFAULT_LIMITS, ...(opts.parseWorker === true ? { chunkBytes: BULK_CHUNK_BYTES } : {}), ...opts.limits };
    const newestTs = store.newestTs();
    const range = new TimeRange(opts.timeRange, newestTs);
    this.parser = opts.parseWorker === true
      ? new ParsePipeline({ maxLineBytes: limits.maxLineBytes, timeRange: range.rule, newestTs, redact: opts.redact ?? null })
      : null;
    this.ingestor = new FileIngestor(store, this.schema, limits, (c) => this.committed(c), range, opts.redact ?? null, this.parser);
  }

  private committed(c: CommittedBatch): void {
    const r = c.result;
    const lines = c.lines;
    this.totals.predictions += r.predictions;
    this.totals.labels += r.labels;
    this.totals.duplicates += r.duplicates;
    this.totals.quarantined += r.quarantined;
    this.totals.conflicts += r.conflicts ?? 0;
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

  /**
   * Bytes written to the watched files and not committed yet (the lag `--metrics` reports):
   * per plain file, its size beyond the offset committed for it; a file not known yet counts
   * whole. Rotated `.gz` files are left out (their offsets count decompressed bytes), and so
   * are rotated-away files still being drained. Lines behind would need reading those bytes.
   */
  lagBytes(): number {
    let behind = 0;
    for (const p of this.listFiles()) {
      if (p.endsWith('.gz')) continue;
      let size: number;
      let inode: string;
      try {
        const st = statSync(p);
        size = st.size;
        inode = `${st.dev}:${st.ino}`;
      } catch {
        continue;
      }
      const row = this.store.currentFile(p);
      const offset = row !== undefined && row.inode === inode && row.superseded === FILE_LIVE ? row.offset : 0;
      behind += Math.max(0, size - offset);
    }
    return behind;
  }

  /** True while the watched directory does not exist (deleted under us, or not made yet). */
  get missing(): boolean {
    return this.dirMissing;
  }

  listFiles(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
      if (this.dirMissing) {
        this.dirMissing = false;
        this.emit('recovered');
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (!this.dirMissing) {
        this.dirMissing = true;
        // `ingest` stops on it; the console shows it and goes on polling for the directory.
        this.emit('missing', `the watched directory ${this.dir} does not exist`);
      }
      return [];
    }
    // Oldest first, so a rotated file is read before the one that replaced it.
    return names.filter(isLogFile).map((n) => join(this.dir, n))
      .map((p) => { try { return { p, m: statSync(p).mtimeMs }; } catch { return null; } })
      .filter((x): x is { p: string; m: number } => x !== null)
      .sort((a, b) => a.m - b.m || a.p.localeCompare(b.p)).map((x) => x.p);
  }

  /** Reads every log file once, up to its current end; an unreadable file is skipped (see `skipped`). */
  async scanOnce(): Promise<FileScan[]> {
    const out: FileScan[] = [];
    for (const p of this.listFiles()) {
      if (this.stopped) break;
      const s = await this.scanFile(p);
      if (s !== null) out.push(s);
    }
    return out;
  }

  /** The current trouble (a commit being retried), one sentence, or null. */
  get problem(): string | null {
    return this.trouble?.problem ?? null;
  }

  /**
   * Scans one file. A commit that fails for a reason outside the file is retried with
   * backoff until it succeeds (or the service stops): a finished file still completes.
   * A file that cannot be read is skipped with a message, and the others are read.
   */
  private async scanFile(path: string): Promise<FileScan | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const s = path === DRAIN ? (await this.ingestor.drainRotated(), null) : await this.ingestor.scan(path);
        this.skipped.delete(path);
        this.recover();
        return s;
      } catch (err) {
        if (this.stopped) return null;
        if (!isRetryable(err)) {
          const why = unreadable(path, err);
          if (this.skipped.get(path) !== why) {
            this.skipped.set(path, why);
            this.emit('error', new Error(why));
          }
          return null;
        }
        const delay = Math.min(this.retry.maxMs, this.retry.firstMs * 2 ** (attempt - 1));
        const problem = `commit failed (${describeFailure(err)}); retry ${attempt} in ${delay < 1000 ? `${delay} ms` : `${(delay / 1000).toFixed(0)} s`}`;
        this.trouble = { problem, since: this.trouble?.since ?? Date.now(), attempts: attempt };
        if (this.dbPath) writeIngestHealth(this.dbPath, { pid: process.pid, ...this.trouble, updatedAt: Date.now() });
        this.emit('error', new Error(problem));
        await new Promise<void>((r) => {
          const t = setTimeout(r, delay);
          this.wake = () => { clearTimeout(t); r(); };
        });
        this.wake = null;
        if (this.stopped) return null;
      }
    }
  }

  private recover(): void {
    if (this.trouble === null) return;
    this.trouble = null;
    if (this.dbPath) writeIngestHealth(this.dbPath, null);
    this.emit('recovered');
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
          await this.scanFile(next);
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
    if (this.ingestor.drainingCount > 0) this.schedule(DRAIN);
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
    this.wake?.();
    if (this.poll) clearInterval(this.poll);
    await this.watcher?.close();
    await this.worker;
    this.ingestor.close();
    await this.parser?.close();
    if (this.trouble !== null && this.dbPath) writeIngestHealth(this.dbPath, null);
  }
}

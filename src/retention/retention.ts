/**
 * Keeps the database bounded on a host that runs for months: raw predictions and labels older
 * than `retention.rawDays` of event time (counted back from the newest stored prediction, so a
 * replay of 2001 keeps its own last days) and quarantined lines older than `rawDays` of wall
 * time are deleted; then free pages go back to the disk by incremental vacuum.
 *
 * It runs in whichever process writes (the console's engine, a headless `ingest`), as a pass
 * every few minutes made of small transactions with a turn of the event loop between them, so
 * ingest commits and snapshots interleave with it and nothing waits for a whole pass.
 */
import type { Db } from '../../store/db.js';
import { autoVacuumMode, freePages, incrementalVacuum, pruneBatch, type RawTable } from '../../store/retention.js';

export const DAY_MS = 86_400_000;

export interface RetentionOptions {
  rawDays: number;
  /** Event time of the newest stored prediction (IngestStore.newestTs). */
  newestTs: () => number | null;
  /**
   * The highest prediction and label ids that analytics have read: rows after them stay even
   * when old, so a backlog caught up after downtime is analysed before it expires.
   */
  processed?: () => { predictions: number; labels: number };
  /** rows per transaction */
  batchRows?: number;
  /** pages per incremental_vacuum step */
  vacuumPages?: number;
  /** time between passes; the first pass runs `firstAfterMs` after start */
  everyMs?: number;
  firstAfterMs?: number;
  now?: () => number;
}

export interface RetentionPass {
  deleted: Record<RawTable, number>;
  /** event-time horizon of predictions and labels (null: nothing stored yet) */
  horizon: number | null;
  /** pages returned to the file system */
  vacuumed: number;
}

const yieldTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

export class Retention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RetentionPass> | null = null;
  private stopped = false;
  private readonly batchRows: number;
  private readonly vacuumPages: number;

  constructor(private readonly db: Db, private readonly opts: RetentionOptions) {
    this.batchRows = opts.batchRows ?? 2000;
    this.vacuumPages = opts.vacuumPages ?? 256;
  }

  get enabled(): boolean {
    return this.opts.rawDays > 0;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    const every = this.opts.everyMs ?? 10 * 60_000;
    const schedule = (ms: number): void => {
      this.timer = setTimeout(() => {
        void this.runOnce().catch(() => { /* the next pass retries; a locked database is not fatal */ }).finally(() => { if (!this.stopped) schedule(every); });
      }, ms);
      this.timer.unref();
    };
    schedule(this.opts.firstAfterMs ?? 5_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass (coalesced with a pass already running). */
  runOnce(): Promise<RetentionPass> {
    this.running ??= this.pass().finally(() => { this.running = null; });
    return this.running;
  }

  private async pass(): Promise<RetentionPass> {
    const out: RetentionPass = { deleted: { predictions: 0, labels: 0, quarantine: 0 }, horizon: null, vacuumed: 0 };
    if (!this.enabled) return out;
    const keep = this.opts.rawDays * DAY_MS;
    const newest = this.opts.newestTs();
    out.horizon = newest === null ? null : newest - keep;
    const horizons: Array<[RawTable, number | null]> = [
      ['predictions', out.horizon],
      ['labels', out.horizon],
      ['quarantine', (this.opts.now ?? Date.now)() - keep],
    ];
    for (const [table, horizon] of horizons) {
      if (horizon === null) continue;
      for (;;) {
        if (this.stopped) return out;
        const upTo = table === 'quarantine' ? undefined : this.opts.processed?.()[table];
        const n = pruneBatch(this.db, table, horizon, this.batchRows, upTo);
        out.deleted[table] += n;
        await yieldTurn();
        if (n < this.batchRows) break;
      }
    }
    if (autoVacuumMode(this.db) === 'incremental') {
      let free = freePages(this.db);
      while (free > 0 && !this.stopped) {
        const left = incrementalVacuum(this.db, this.vacuumPages);
        out.vacuumed += free - left;
        if (left >= free) break;
        free = left;
        await yieldTurn();
      }
    }
    return out;
  }
}

/** One line for the operator, or null when the pass deleted nothing. */
export function describePass(p: RetentionPass, rawDays: number): string | null {
  const d = p.deleted;
  if (d.predictions + d.labels + d.quarantine === 0) return null;
  const parts = [`${d.predictions} predictions`, `${d.labels} labels`];
  if (d.quarantine > 0) parts.push(`${d.quarantine} quarantined lines`);
  return `retention: deleted ${parts.join(', ')} older than ${rawDays} days before the newest row${p.vacuumed > 0 ? `; returned ${p.vacuumed} pages to the disk` : ''}`;
}

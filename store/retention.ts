/**
 * Deleting raw rows past the retention horizon, a small batch at a time. Rows are deleted
 * from the oldest rowid up, and a batch stops at the first row that is still inside the
 * horizon: rowids follow ingest order, so the expired rows are a prefix of the table and each
 * batch costs its own rows, never a scan of the table (there is no index on ts, which would
 * slow every insert). A row ingested late with an old time waits until the rows before it expire.
 *
 * Only raw rows go: predictions and labels by event time, quarantined lines by the time they
 * were quarantined. Drift windows, alerts, the audit trail, jobs, the registry and the per-file
 * counters stay.
 */
import type { Db } from './db.js';
import { uncount } from './counters.js';

export type RawTable = 'predictions' | 'labels' | 'quarantine';

/** The time column a table's rows expire by. */
const TIME_COLUMN: Record<RawTable, string> = { predictions: 'ts', labels: 'ts', quarantine: 'at' };

/**
 * Deletes up to `limit` of the oldest rows of `table` whose time is before `horizon` and whose
 * id is at most `maxId` (rows a reader has not processed yet stay), in one short transaction;
 * returns how many went.
 */
export function pruneBatch(db: Db, table: RawTable, horizon: number, limit: number, maxId = Number.MAX_SAFE_INTEGER): number {
  const col = TIME_COLUMN[table];
  return db.transaction(() => {
    const rows = db.prepare(`SELECT id, ${col} AS t FROM ${table} WHERE id <= ? ORDER BY id LIMIT ?`).all(maxId, limit) as Array<{ id: number; t: number }>;
    // The newest row of a table stays: rowids are max+1, so emptying a table would hand out
    // ids again that the analytics and counter cursors (store/counters.ts) have passed.
    const newest = db.prepare(`SELECT max(id) FROM ${table}`).pluck().get() as number;
    let last = -1;
    for (const r of rows) {
      if (r.t >= horizon || r.id >= newest) break;
      last = r.id;
    }
    if (last < 0) return 0;
    uncount(db, table, last);
    return db.prepare(`DELETE FROM ${table} WHERE id <= ?`).run(last).changes;
  }).immediate();
}

export function autoVacuumMode(db: Db): 'none' | 'full' | 'incremental' {
  return (['none', 'full', 'incremental'] as const)[db.pragma('auto_vacuum', { simple: true }) as number] ?? 'none';
}

export function freePages(db: Db): number {
  return db.pragma('freelist_count', { simple: true }) as number;
}

/** Returns up to `pages` free pages to the file system (incremental auto-vacuum only); how many remain free. */
export function incrementalVacuum(db: Db, pages: number): number {
  db.pragma(`incremental_vacuum(${Math.max(1, Math.floor(pages))})`);
  return freePages(db);
}

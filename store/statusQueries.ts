import type { Db } from './db.js';
import type { SchemaField } from './ingestStore.js';
import { fullRowCounts, hasCounters, rowCounts } from './counters.js';

export interface ModelTraffic { model: string; version: number; predictions: number; labelled: number; firstTs: number | null; lastTs: number | null }
export interface FileStatus { path: string; offset: number; lines: number; predictions: number; labels: number; duplicates: number; quarantined: number; gz: boolean; current: boolean }
export interface StoreCounts { predictions: number; labels: number; quarantined: number; requests: number }

/**
 * The counts `status` shows: from the counters (store/counters.ts) when the database has them,
 * else (a read-only look at an older schema) by full COUNTs. First and last prediction times
 * per model version are two seeks each on the (model, version, ts) index.
 */
export function trafficCounts(db: Db): { counts: StoreCounts; models: ModelTraffic[] } {
  const c = hasCounters(db) ? rowCounts(db) : fullRowCounts(db);
  const first = db.prepare('SELECT min(ts) FROM predictions WHERE model = ? AND version = ?').pluck();
  const last = db.prepare('SELECT max(ts) FROM predictions WHERE model = ? AND version = ?').pluck();
  return {
    counts: { predictions: c.predictions, labels: c.labels, quarantined: c.quarantined, requests: c.requests },
    models: c.models.map((m) => ({
      ...m,
      firstTs: first.get(m.model, m.version) as number | null,
      lastTs: last.get(m.model, m.version) as number | null,
    })),
  };
}

/**
 * Row counts for the console header, four times a second: the counters, or on a database of an
 * older schema opened read-only, max(id) (the count while nothing was deleted).
 */
export function storeTotals(db: Db): { predictions: number; labels: number; quarantined: number } {
  if (hasCounters(db)) {
    const { predictions, labels, quarantined } = rowCounts(db);
    return { predictions, labels, quarantined };
  }
  const one = (sql: string): number => (db.prepare(sql).pluck().get() as number | null) ?? 0;
  return {
    predictions: one('SELECT max(id) FROM predictions'),
    labels: one('SELECT max(id) FROM labels'),
    quarantined: one('SELECT max(id) FROM quarantine'),
  };
}

export function fileStatuses(db: Db): FileStatus[] {
  const rows = db.prepare(`SELECT path, offset, line_no AS lines, predictions, labels, duplicates, quarantined, gz, superseded
    FROM files ORDER BY path, id`).all() as Array<Omit<FileStatus, 'gz' | 'current'> & { gz: number; superseded: number }>;
  return rows.map(({ superseded, gz, ...r }) => ({ ...r, gz: gz === 1, current: superseded === 0 }));
}

export function schemaFields(db: Db): SchemaField[] {
  return db.prepare('SELECT name, kind, source FROM schema_fields ORDER BY name').all() as SchemaField[];
}

export interface QuarantineEntry { id: number; path: string; line: number; reason: string; text: string; bytes: number; at: number }

/** `only`: the lines one serving host shipped (`host: null`: read from local files). */
export function recentQuarantine(db: Db, limit = 100, only?: { host: string | null }): QuarantineEntry[] {
  if (only) return db.prepare('SELECT id, path, line_no AS line, reason, text, bytes, at FROM quarantine WHERE host IS ? ORDER BY id DESC LIMIT ?').all(only.host, limit) as QuarantineEntry[];
  return db.prepare('SELECT id, path, line_no AS line, reason, text, bytes, at FROM quarantine ORDER BY id DESC LIMIT ?').all(limit) as QuarantineEntry[];
}

export function quarantineReasons(db: Db): Array<{ reason: string; count: number }> {
  return db.prepare(`SELECT CASE WHEN instr(reason, ':') > 0 THEN substr(reason, 1, instr(reason, ':') - 1) ELSE reason END AS reason,
      count(*) AS count FROM quarantine GROUP BY 1 ORDER BY 2 DESC`).all() as Array<{ reason: string; count: number }>;
}

import type { Db } from './db.js';
import type { SchemaField } from './ingestStore.js';

export interface ModelTraffic { model: string; version: number; predictions: number; labelled: number; firstTs: number | null; lastTs: number | null }
export interface FileStatus { path: string; offset: number; lines: number; predictions: number; labels: number; duplicates: number; quarantined: number; gz: boolean; current: boolean }
export interface StoreCounts { predictions: number; labels: number; quarantined: number; requests: number }

export function storeCounts(db: Db): StoreCounts {
  const one = (sql: string): number => (db.prepare(sql).pluck().get() as number) ?? 0;
  return {
    predictions: one('SELECT count(*) FROM predictions'),
    labels: one('SELECT count(*) FROM labels'),
    quarantined: one('SELECT count(*) FROM quarantine'),
    requests: one('SELECT count(DISTINCT request_id) FROM predictions'),
  };
}

/**
 * Row counts for the console header, cheap at any size: predictions and labels
 * are never deleted and their rowids are assigned max+1, so max(id) is the count
 * (count(*) would scan 10^6 rows four times a second).
 */
export function storeTotals(db: Db): { predictions: number; labels: number; quarantined: number } {
  const one = (sql: string): number => (db.prepare(sql).pluck().get() as number | null) ?? 0;
  return {
    predictions: one('SELECT max(id) FROM predictions'),
    labels: one('SELECT max(id) FROM labels'),
    quarantined: one('SELECT max(id) FROM quarantine'),
  };
}

export function trafficByModel(db: Db): ModelTraffic[] {
  return db.prepare(`SELECT p.model, p.version, count(*) AS predictions, count(l.request_id) AS labelled,
      min(p.ts) AS firstTs, max(p.ts) AS lastTs
    FROM predictions p LEFT JOIN labels l ON l.request_id = p.request_id
    GROUP BY p.model, p.version ORDER BY p.model, p.version`).all() as ModelTraffic[];
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

/**
 * Labelled predictions of one model version, newest first, read in keyset pages. A page is a
 * plain `.all()`, never an open iterator: the caller yields to the event loop between pages,
 * and better-sqlite3 refuses other statements on a connection while an iterator is open.
 */
import type { Db } from './db.js';

export interface LabelledPredictionRow {
  id: number;
  request_id: string;
  ts: number;
  /** JSON text as logged */
  features: string;
  /** JSON text as logged */
  label: string;
}

export interface LabelledScope {
  model: string;
  version: number;
  /** inclusive, ms */
  since?: number | null;
  /** exclusive, ms */
  until?: number | null;
}

/** The page after cursor `before` (the last row of the previous page), newest first. */
export function labelledPage(db: Db, scope: LabelledScope, before: { ts: number; id: number } | null, limit: number): LabelledPredictionRow[] {
  const since = scope.since ?? Number.MIN_SAFE_INTEGER;
  const until = scope.until ?? Number.MAX_SAFE_INTEGER;
  const cursorTs = before?.ts ?? Number.MAX_SAFE_INTEGER;
  const cursorId = before?.id ?? Number.MAX_SAFE_INTEGER;
  return db.prepare(`SELECT p.id, p.request_id, p.ts, p.features, l.label
    FROM predictions p JOIN labels l ON l.request_id = p.request_id
    WHERE p.model = ? AND p.version = ? AND p.ts >= ? AND p.ts < ?
      AND (p.ts < ? OR (p.ts = ? AND p.id < ?))
    ORDER BY p.ts DESC, p.id DESC LIMIT ?`)
    .all(scope.model, scope.version, since, until, cursorTs, cursorTs, cursorId, limit) as LabelledPredictionRow[];
}

/** The newest version of `model` that logged a prediction, or null. */
export function latestLoggedVersion(db: Db, model: string): number | null {
  return (db.prepare('SELECT max(version) FROM predictions WHERE model = ?').pluck().get(model) as number | null) ?? null;
}

/**
 * SQL of data quality: the checker follows the predictions table with a rowid cursor and
 * commits its counts, its flags and the new cursor in one transaction, so a crash neither
 * loses nor double-counts a row, and the cost of a pass grows with new rows, not history.
 */
import type { Db } from './db.js';

export interface QualityState {
  cursor: number;
  fingerprint: string;
  windowMs: number;
}

export interface PredictionToCheck {
  id: number;
  model: string;
  version: number;
  ts: number;
  /** JSON text as logged */
  features: string;
}

export type FlagKind = 'type' | 'range' | 'category' | 'missing';

export interface WindowDelta {
  model: string;
  version: number;
  windowStart: number;
  feature: string;
  rows: number;
  missing: number;
  type: number;
  range: number;
  category: number;
  flagged: number;
}

export interface QualityFlag {
  predictionId: number;
  feature: string;
  kind: FlagKind;
}

export function qualityState(db: Db): QualityState | null {
  const r = db.prepare('SELECT cursor, fingerprint, window_ms AS windowMs FROM quality_state WHERE id = 1').get() as QualityState | undefined;
  return r ?? null;
}

/** Forgets every count and flag: the rules or the window changed, so counting starts over. */
export function resetQuality(db: Db, fingerprint: string, windowMs: number): void {
  db.transaction(() => {
    db.prepare('DELETE FROM quality_windows').run();
    db.prepare('DELETE FROM quality_flags').run();
    db.prepare(`INSERT INTO quality_state (id, cursor, fingerprint, window_ms) VALUES (1, 0, ?, ?)
      ON CONFLICT(id) DO UPDATE SET cursor = 0, fingerprint = excluded.fingerprint, window_ms = excluded.window_ms`).run(fingerprint, windowMs);
  }).immediate();
}

export function predictionsAfter(db: Db, cursor: number, limit: number): PredictionToCheck[] {
  return db.prepare('SELECT id, model, version, ts, features FROM predictions WHERE id > ? ORDER BY id LIMIT ?').all(cursor, limit) as PredictionToCheck[];
}

/**
 * Adds a batch's counts and flags and moves the cursor, in one transaction. Refuses (returns
 * false, writes nothing) when the cursor is no longer `fromCursor`: another process counted
 * these rows first.
 */
export function commitQuality(db: Db, fromCursor: number, toCursor: number, deltas: readonly WindowDelta[], flags: readonly QualityFlag[]): boolean {
  const upsert = db.prepare(`INSERT INTO quality_windows (model, version, window_start, feature, rows, missing, type, range, category, flagged)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(model, version, window_start, feature) DO UPDATE SET rows = rows + excluded.rows, missing = missing + excluded.missing,
      type = type + excluded.type, range = range + excluded.range, category = category + excluded.category, flagged = flagged + excluded.flagged`);
  const flag = db.prepare('INSERT OR REPLACE INTO quality_flags (prediction_id, feature, kind) VALUES (?, ?, ?)');
  return db.transaction(() => {
    const cur = db.prepare('SELECT cursor FROM quality_state WHERE id = 1').pluck().get() as number | undefined;
    if (cur !== fromCursor) return false;
    for (const d of deltas) upsert.run(d.model, d.version, d.windowStart, d.feature, d.rows, d.missing, d.type, d.range, d.category, d.flagged);
    for (const f of flags) flag.run(f.predictionId, f.feature, f.kind);
    db.prepare('UPDATE quality_state SET cursor = ? WHERE id = 1').run(toCursor);
    return true;
  }).immediate();
}

export interface QualityWindowRow extends Omit<WindowDelta, 'model' | 'version'> {}

/** The last `windows` windows of one model version, oldest first, every feature. */
export function qualityWindows(db: Db, model: string, version: number, windows = 30): QualityWindowRow[] {
  return db.prepare(`SELECT window_start AS windowStart, feature, rows, missing, type, range, category, flagged FROM quality_windows
    WHERE model = ? AND version = ? AND window_start IN (
      SELECT DISTINCT window_start FROM quality_windows WHERE model = ? AND version = ? ORDER BY window_start DESC LIMIT ?)
    ORDER BY window_start, feature`).all(model, version, model, version, windows) as QualityWindowRow[];
}

/** Flags of one model version's predictions (prediction-time range optional). */
export function qualityFlagsOf(db: Db, model: string, version: number, since?: number | null, until?: number | null): QualityFlag[] {
  return db.prepare(`SELECT f.prediction_id AS predictionId, f.feature, f.kind FROM quality_flags f JOIN predictions p ON p.id = f.prediction_id
    WHERE p.model = ? AND p.version = ? AND p.ts >= ? AND p.ts < ? ORDER BY f.prediction_id`)
    .all(model, version, since ?? Number.MIN_SAFE_INTEGER, until ?? Number.MAX_SAFE_INTEGER) as QualityFlag[];
}

export interface ScoredRow {
  id: number;
  requestId: string;
  ts: number;
  /** JSON text as logged */
  features: string;
  prediction: string;
  score: number | null;
  scores: string | null;
  /** JSON text of the label, null until it arrives */
  label: string | null;
}

/** One model version's predictions with their labels where they have arrived, in time order. */
export function scoredRows(db: Db, model: string, version: number, since?: number | null, until?: number | null): ScoredRow[] {
  return db.prepare(`SELECT p.id, p.request_id AS requestId, p.ts, p.features, p.prediction, p.score, p.scores, l.label
    FROM predictions p LEFT JOIN labels l ON l.request_id = p.request_id
    WHERE p.model = ? AND p.version = ? AND p.ts >= ? AND p.ts < ? ORDER BY p.ts, p.id`)
    .all(model, version, since ?? Number.MIN_SAFE_INTEGER, until ?? Number.MAX_SAFE_INTEGER) as ScoredRow[];
}

/** Flagged features per request id of one model version's predictions, for `retrain --violations`. */
export function flagsByRequest(db: Db, model: string, version: number): Map<string, Set<string>> {
  const rows = db.prepare(`SELECT p.request_id AS id, f.feature FROM quality_flags f JOIN predictions p ON p.id = f.prediction_id
    WHERE p.model = ? AND p.version = ?`).all(model, version) as Array<{ id: string; feature: string }>;
  const out = new Map<string, Set<string>>();
  for (const r of rows) (out.get(r.id) ?? out.set(r.id, new Set()).get(r.id)!).add(r.feature);
  return out;
}

/** Event time of one model version's newest prediction, or null. */
export function latestPredictionTs(db: Db, model: string, version: number): number | null {
  return (db.prepare('SELECT max(ts) FROM predictions WHERE model = ? AND version = ?').pluck().get(model, version) as number | null) ?? null;
}

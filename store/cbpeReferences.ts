/**
 * Pinned CBPE reference periods (migration: cbpe_references). The fitted reference is stored as
 * JSON text; the store neither parses nor interprets it (store/ imports nothing from src/).
 */
import type { Db } from './db.js';

export interface PinnedReferenceRow {
  model: string;
  version: number;
  from: number;
  until: number;
  rows: number;
  /** JSON of the fitted reference. */
  reference: string;
  pinnedAt: number;
  operator: string;
}

export function pinReference(db: Db, r: PinnedReferenceRow): void {
  db.prepare(`INSERT INTO cbpe_references (model, version, from_ts, until_ts, rows, reference, pinned_at, operator)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (model, version) DO UPDATE SET from_ts = excluded.from_ts, until_ts = excluded.until_ts, rows = excluded.rows,
      reference = excluded.reference, pinned_at = excluded.pinned_at, operator = excluded.operator`)
    .run(r.model, r.version, r.from, r.until, r.rows, r.reference, r.pinnedAt, r.operator);
}

export function pinnedReferences(db: Db): PinnedReferenceRow[] {
  return db.prepare(`SELECT model, version, from_ts AS "from", until_ts AS until, rows, reference, pinned_at AS pinnedAt, operator
    FROM cbpe_references ORDER BY model, version`).all() as PinnedReferenceRow[];
}

export interface LabelledScoreRow {
  ts: number;
  prediction: string;
  score: number | null;
  label: string;
}

/** A model version's labelled predictions with request time in [from, until), in time order. */
export function labelledScoresBetween(db: Db, model: string, version: number, from: number, until: number): LabelledScoreRow[] {
  return db.prepare(`SELECT p.ts, p.prediction, p.score, l.label FROM predictions p
    JOIN labels l ON l.request_id = p.request_id
    WHERE p.model = ? AND p.version = ? AND p.ts >= ? AND p.ts < ? ORDER BY p.ts, p.id`)
    .all(model, version, from, until) as LabelledScoreRow[];
}

/** [ts, prediction, score, label or null, class probabilities (JSON) or null] of every prediction of a model version since `since`, in time order. */
export type ScoredRow = [number, string, number | null, string | null, string | null];

export function scoredRowsSince(db: Db, model: string, version: number, since: number | null): IterableIterator<ScoredRow> {
  return db.prepare(`SELECT p.ts, p.prediction, p.score, l.label, p.scores FROM predictions p
    LEFT JOIN labels l ON l.request_id = p.request_id
    WHERE p.model = ? AND p.version = ? AND p.ts >= ? ORDER BY p.ts, p.id`)
    .raw(true).iterate(model, version, since ?? -8.64e15) as IterableIterator<ScoredRow>;
}

/** Request time of a model version's first prediction whose label has arrived, or null (walks the (model, version, ts) index). */
export function firstLabelledTs(db: Db, model: string, version: number): number | null {
  const r = db.prepare(`SELECT p.ts FROM predictions p
    WHERE p.model = ? AND p.version = ? AND EXISTS (SELECT 1 FROM labels l WHERE l.request_id = p.request_id)
    ORDER BY p.ts LIMIT 1`).get(model, version) as { ts: number } | undefined;
  return r ? r.ts : null;
}

/** How many of a model version's predictions with request time in [from, until) have a label and a score. */
export function labelledCountBetween(db: Db, model: string, version: number, from: number, until: number): number {
  const r = db.prepare(`SELECT COUNT(*) AS n FROM predictions p JOIN labels l ON l.request_id = p.request_id
    WHERE p.model = ? AND p.version = ? AND p.ts >= ? AND p.ts < ? AND p.score IS NOT NULL`).get(model, version, from, until) as { n: number };
  return r.n;
}

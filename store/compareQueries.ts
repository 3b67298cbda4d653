/**
 * Reads for the shadow comparison and the promotion gate. Two models are paired by
 * request id: the scan walks model A's rows through predictions_model_ts and finds B's row
 * and the label through their unique indexes, so the cost is linear in A's rows in scope.
 * Rows come back raw (arrays, not objects) through iterate(): at a million requests the
 * object allocation of .all() is most of the time and memory.
 */
import type { Db } from './db.js';

export interface ModelKey {
  name: string;
  version: number;
}

export interface PairScope {
  /** only requests with A's prediction ts >= since (ms) */
  since?: number | null;
  /** only rows with a label */
  labelledOnly?: boolean;
}

/**
 * [predictionA, scoreA, predictionB, scoreB, label, scoresA, scoresB]: prediction and label
 * are their JSON text as logged, score is P(positive) or null, scores the logged class
 * probabilities (only selected with `withScores`, for multiclass: every column costs time).
 */
export type PairedRow = [string, number | null, string, number | null, string | null, string | null, string | null];

/** [requestId, predictionA, predictionB, label, labelId] of held-out labelled pairs. */
export type LabelledPairRow = [string, string, string, string, number];

const PAIR_FROM = `FROM predictions a
    JOIN predictions b ON b.request_id = a.request_id AND b.model = ? AND b.version = ?`;

export function pairedRows(db: Db, a: ModelKey, b: ModelKey, scope: PairScope = {}, withScores = false): IterableIterator<PairedRow> {
  const where = ['a.model = ?', 'a.version = ?'];
  const params: Array<string | number> = [b.name, b.version, a.name, a.version];
  if (scope.since !== undefined && scope.since !== null) {
    where.push('a.ts >= ?');
    params.push(scope.since);
  }
  const labelJoin = scope.labelledOnly ? 'JOIN' : 'LEFT JOIN';
  const sql = `SELECT a.prediction, a.score, b.prediction, b.score, l.label${withScores ? ', a.scores, b.scores' : ''}
    ${PAIR_FROM}
    ${labelJoin} labels l ON l.request_id = a.request_id
    WHERE ${where.join(' AND ')}
    `;
  return db.prepare(sql).raw(true).iterate(...params) as IterableIterator<PairedRow>;
}

const withHeldOut = new WeakMap<Db, (requestId: string, share: number) => boolean>();

/**
 * Held-out labelled pairs (label id > afterLabelId) for the gate. The held-out test runs
 * inside the query as a SQL function, before B's row and the label are looked up, so at a
 * 30% share most requests cost one index step and no lookups or row transfer.
 */
export function heldOutLabelledPairs(
  db: Db, a: ModelKey, b: ModelKey, afterLabelId: number, share: number, isHeldOut: (requestId: string, share: number) => boolean,
): IterableIterator<LabelledPairRow> {
  if (withHeldOut.get(db) !== isHeldOut) {
    db.function('mlops_held_out', { deterministic: true }, (id: unknown, s: unknown) => (isHeldOut(String(id), Number(s)) ? 1 : 0));
    withHeldOut.set(db, isHeldOut);
  }
  return db.prepare(`SELECT a.request_id, a.prediction, b.prediction, l.label, l.id
    ${PAIR_FROM}
    JOIN labels l ON l.request_id = a.request_id
    WHERE a.model = ? AND a.version = ? AND mlops_held_out(a.request_id, ?) AND l.id > ?`)
    .raw(true).iterate(b.name, b.version, a.name, a.version, share, afterLabelId) as IterableIterator<LabelledPairRow>;
}

/** True when the version logs class probabilities (a multiclass model). */
export function logsClassScores(db: Db, m: ModelKey): boolean {
  // The first row decides: a model logs probabilities on every row or on none, and a
  // filter on scores would scan every row of a binary model to find nothing.
  return db.prepare('SELECT scores IS NOT NULL FROM predictions WHERE model = ? AND version = ? LIMIT 1').pluck().get(m.name, m.version) === 1;
}

export function latestPredictionTs(db: Db): number | null {
  return db.prepare('SELECT max(ts) FROM predictions').pluck().get() as number | null;
}

export function maxLabelId(db: Db): number {
  return (db.prepare('SELECT max(id) FROM labels').pluck().get() as number | null) ?? 0;
}

/** Versions that have logged predictions, for pairing models outside the registry. */
export function loggedModels(db: Db): ModelKey[] {
  return db.prepare('SELECT DISTINCT model AS name, version FROM predictions ORDER BY model, version').all() as ModelKey[];
}

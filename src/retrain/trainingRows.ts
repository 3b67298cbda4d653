/**
 * The rows a retrain learns from: labelled predictions of one model version from SQLite
 * (the last N, or a prediction-time range), joined with their labels, in time order.
 *
 * Split, all by construction rather than by chance:
 *  - the promotion gate's held-out requests (isHeldOut on the request id, the same fixed
 *    subset the gate evaluates on) are never fitted on; within the training span they only
 *    measure the new model's held-out metrics;
 *  - the rest is fitted on, and trainArtifact keeps its last part by time for early
 *    stopping (validation).
 * Reading is paged with a yield to the event loop between pages, so a console sharing the
 * thread keeps drawing while 100k rows are parsed.
 */
import { isoTime } from '../core/time.js';
import type { Db } from '../../store/db.js';
import { labelledPage, type LabelledScope } from '../../store/trainingRows.js';
import { isHeldOut } from '../compare/heldOut.js';
import type { FeatureSchema } from '../drift/profile.js';

export const PAGE_ROWS = 5000;

export type TrainingRow = Record<string, unknown>;

export interface TrainingSelection {
  /** the last `rows` labelled predictions (within since/until when given) */
  rows?: number | null;
  /** prediction time, inclusive, ms */
  since?: number | null;
  /** prediction time, exclusive, ms */
  until?: number | null;
}

export interface TrainingSet {
  /** time-ordered rows to fit on (training + validation), none of them held out */
  fit: TrainingRow[];
  /** the gate's held-out rows of the same span: metrics only, never fitted on */
  heldOut: TrainingRow[];
  /** key of the ISO prediction time in each row (not a feature) */
  timeKey: string;
  /** labelled rows read, and their prediction-time span (ms) */
  read: number;
  from: number | null;
  until: number | null;
  /** rows dropped because their label JSON could not be read */
  badLabels: number;
  /** request id of each row of `fit` (same order): quality flags are kept per request */
  fitIds: string[];
}

/** A key for the time that is neither a feature nor the label. */
export function timeKeyFor(schema: FeatureSchema, label: string): string {
  let key = 'ts';
  while (key in schema || key === label) key = `_${key}`;
  return key;
}

/** Splits by the gate's held-out rule; order is kept in both parts. */
export function splitHeldOut<T>(rows: readonly T[], idOf: (row: T) => string, share: number): { fit: T[]; heldOut: T[] } {
  const fit: T[] = [];
  const heldOut: T[] = [];
  for (const r of rows) (isHeldOut(idOf(r), share) ? heldOut : fit).push(r);
  return { fit, heldOut };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function abortError(): Error {
  return new DOMException('training was cancelled', 'AbortError');
}

export async function loadTrainingSet(
  db: Db,
  source: { name: string; version: number },
  model: { schema: FeatureSchema; label: string },
  selection: TrainingSelection,
  heldOutShare: number,
  options: { signal?: AbortSignal; pageRows?: number } = {},
): Promise<TrainingSet> {
  const limit = selection.rows ?? Infinity;
  const pageRows = options.pageRows ?? PAGE_ROWS;
  const scope: LabelledScope = { model: source.name, version: source.version, since: selection.since, until: selection.until };
  const features = Object.keys(model.schema);
  const timeKey = timeKeyFor(model.schema, model.label);
  const newestFirst: { id: string; row: TrainingRow }[] = [];
  let cursor: { ts: number; id: number } | null = null;
  let badLabels = 0;
  let read = 0;
  while (newestFirst.length < limit) {
    const page = labelledPage(db, scope, cursor, Math.min(pageRows, limit - newestFirst.length));
    if (page.length === 0) break;
    for (const p of page) {
      if (newestFirst.length >= limit) break;
      read++;
      let label: unknown;
      let logged: Record<string, unknown>;
      try {
        label = JSON.parse(p.label);
        logged = JSON.parse(p.features) as Record<string, unknown>;
      } catch {
        badLabels++;
        continue;
      }
      const row: TrainingRow = {};
      for (const f of features) row[f] = logged?.[f] ?? null;
      row[model.label] = label;
      row[timeKey] = isoTime(p.ts);
      newestFirst.push({ id: p.request_id, row });
    }
    const last = page[page.length - 1]!;
    cursor = { ts: last.ts, id: last.id };
    if (options.signal?.aborted) throw abortError();
    await nextTurn();
    if (options.signal?.aborted) throw abortError();
  }
  newestFirst.reverse();
  const { fit, heldOut } = splitHeldOut(newestFirst, (r) => r.id, heldOutShare);
  const first = newestFirst[0]?.row[timeKey];
  const lastRow = newestFirst[newestFirst.length - 1]?.row[timeKey];
  return {
    fit: fit.map((r) => r.row),
    fitIds: fit.map((r) => r.id),
    heldOut: heldOut.map((r) => r.row),
    timeKey,
    read,
    from: first === undefined ? null : Date.parse(String(first)),
    until: lastRow === undefined ? null : Date.parse(String(lastRow)),
    badLabels,
  };
}

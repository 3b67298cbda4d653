// Rows in, storable artifact out: split by time, train, measure, profile the fitted rows, and
// capture the weights. The tfjs model lives only inside this call.
import { formatDay } from '../core/time.js';
import { classIndexer, classKey } from '../core/classes.js';
import { buildProfile } from '../drift/profile.js';
import { isMissing } from '../core/values.js';
import { ARTIFACT_FORMAT, captureModel, type ModelArtifact } from './artifact.js';
import { scoreProfile, weekdayProfiles } from './periodProfiles.js';
import { predictProbabilities } from './scoring.js';
import { parseTime } from '../core/time.js';
import { DEFAULTS, evaluate, trainModel, type TrainedModel, type TrainOptions } from './train.js';
import { permutationImportance } from '../quality/importance.js';
import { fitCbpeReference, fitMulticlassCbpeReference, MIN_REFERENCE_ROWS, type CbpeReference } from '../compare/cbpeReference.js';

/** Rows of the training data kept with the artifact for multivariate drift: 10 chunks of 500. */
export const REFERENCE_CHUNKS = 10;
export const REFERENCE_CHUNK_ROWS = 500;

/**
 * A sample of the fitted rows' features for multivariate drift (PCA
 * reconstruction needs joint rows, which per-column profiles do not keep).
 * The reference band comes from the spread of its chunks' errors, and live
 * windows are days: so each chunk is one day of the training data (10 days
 * spread over the span, 500 rows each), and the band holds day-to-day
 * variation. Without a time column, evenly spaced blocks of rows stand in.
 */
export function sampleReference(rows: readonly Record<string, unknown>[], features: string[], time?: string): Record<string, unknown>[] {
  const groups: Array<readonly Record<string, unknown>[]> = [];
  if (time) {
    const byDay = new Map<string, Record<string, unknown>[]>();
    for (const r of rows) {
      const t = parseTime(r[time]);
      if (t === null) continue;
      const day = formatDay(t);
      const g = byDay.get(day);
      if (g) g.push(r);
      else byDay.set(day, [r]);
    }
    const days = [...byDay.keys()].sort().filter((d) => byDay.get(d)!.length >= REFERENCE_CHUNK_ROWS);
    const step = Math.max(1, days.length / REFERENCE_CHUNKS);
    for (let i = 0; i < days.length && groups.length < REFERENCE_CHUNKS; i = Math.floor(groups.length * step)) groups.push(byDay.get(days[i])!);
  }
  if (groups.length < REFERENCE_CHUNKS) {
    groups.length = 0;
    const size = Math.floor(rows.length / REFERENCE_CHUNKS);
    for (let c = 0; c < REFERENCE_CHUNKS && size > 0; c++) groups.push(rows.slice(c * size, (c + 1) * size));
  }
  const out: Record<string, unknown>[] = [];
  for (const g of groups) {
    const step = Math.max(1, g.length / REFERENCE_CHUNK_ROWS);
    for (let k = 0; k < REFERENCE_CHUNK_ROWS && Math.floor(k * step) < g.length; k++) {
      const r = g[Math.floor(k * step)];
      out.push(Object.fromEntries(features.map((f) => [f, r[f]])));
    }
  }
  return out;
}

export interface TrainArtifactOptions extends TrainOptions {
  /** Time column: gives trainedOn.from/until. Rows must already be in time order. */
  time?: string;
}

function span(rows: readonly Record<string, unknown>[], time: string | undefined): { from?: string; until?: string } {
  if (!time || rows.length === 0) return {};
  const first = rows[0]![time];
  const last = rows[rows.length - 1]![time];
  return { from: isMissing(first) ? undefined : String(first), until: isMissing(last) ? undefined : String(last) };
}

/**
 * The CBPE reference of a binary model: calibrator, sampling error and thresholds fitted on its
 * held-out rows (never trained on), as NannyML fits CBPE on a reference period. Null when the
 * held-out split is too small to calibrate on.
 */
function cbpeOfHoldout(
  trained: TrainedModel,
  holdout: readonly Record<string, unknown>[],
  label: string,
  time: string | undefined,
): { reference: CbpeReference; holdout: NonNullable<ModelArtifact['holdout']> } | null {
  if (holdout.length < MIN_REFERENCE_ROWS) return null;
  const { probs, width } = predictProbabilities(trained.model, trained.encoder, holdout);
  const index = classIndexer(trained.classes);
  const scores: number[] = [];
  const labels: number[] = [];
  const predicted: number[] = [];
  for (let i = 0; i < holdout.length; i++) {
    const y = index(holdout[i]![label]);
    if (y < 0) continue;
    // Rounded: the artifact stays small, and a calibrator cannot use more digits than 1e-6.
    const p = Math.round(probs[i * width + (width - 1)]! * 1e6) / 1e6;
    scores.push(p);
    labels.push(y);
    predicted.push(p >= 0.5 ? 1 : 0); // the serving rule (predictor.ts)
  }
  if (scores.length < MIN_REFERENCE_ROWS) return null;
  const when = span(holdout, time);
  const ms = (t: string | undefined): number | null => (t === undefined ? null : parseTime(t));
  const reference = fitCbpeReference(scores, labels, predicted, { source: 'training-holdout', from: ms(when.from), until: ms(when.until) });
  return { reference, holdout: { scores, labels, predicted } };
}

/**
 * The CBPE reference of a multiclass model: one-vs-rest calibrators on its held-out rows (the
 * engine and `compare` both estimate with it), the predicted class being the argmax, as served.
 */
function multiclassCbpeOfHoldout(
  trained: TrainedModel,
  holdout: readonly Record<string, unknown>[],
  label: string,
  time: string | undefined,
): CbpeReference | null {
  if (holdout.length < MIN_REFERENCE_ROWS) return null;
  const { probs, width } = predictProbabilities(trained.model, trained.encoder, holdout);
  const index = classIndexer(trained.classes);
  const rows: number[][] = [];
  const labels: number[] = [];
  const predicted: number[] = [];
  for (let i = 0; i < holdout.length; i++) {
    const y = index(holdout[i]![label]);
    if (y < 0) continue;
    const p = Array.from(probs.subarray(i * width, (i + 1) * width), (v) => Math.round(v * 1e6) / 1e6);
    let best = 0;
    for (let k = 1; k < width; k++) if (p[k]! > p[best]!) best = k;
    rows.push(p);
    labels.push(y);
    predicted.push(best);
  }
  if (rows.length < MIN_REFERENCE_ROWS) return null;
  const when = span(holdout, time);
  const ms = (t: string | undefined): number | null => (t === undefined ? null : parseTime(t));
  return fitMulticlassCbpeReference(rows, labels, predicted, width, { source: 'training-holdout', from: ms(when.from), until: ms(when.until) });
}

/** Time-ordered split: the last `fraction` of the rows is held out. */
export function splitHoldout<T>(rows: readonly T[], fraction: number = DEFAULTS.holdoutFraction): { fit: T[]; holdout: T[] } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`holdout fraction must be between 0 and 1, not ${fraction}`);
  const cut = Math.floor(rows.length * (1 - fraction));
  return { fit: rows.slice(0, cut), holdout: rows.slice(cut) };
}

export async function trainArtifact(rows: readonly Record<string, unknown>[], options: TrainArtifactOptions): Promise<ModelArtifact> {
  const { fit, holdout } = options.holdout
    ? { fit: rows, holdout: options.holdout }
    : splitHoldout(rows, options.holdoutFraction ?? DEFAULTS.holdoutFraction);
  const label = options.label;
  const labelled = fit.filter((r) => !isMissing(r[label]));
  const labelledHoldout = holdout.filter((r) => !isMissing(r[label]));
  const trained = await trainModel(labelled, { ...options, holdout: labelledHoldout });
  try {
    // A Map, then fromEntries: a class named "constructor" or "__proto__" is just a key.
    const classTally = new Map<string, number>();
    for (const r of labelled) {
      const k = classKey(r[label])?.key;
      if (k !== undefined) classTally.set(k, (classTally.get(k) ?? 0) + 1);
    }
    const classCounts: Record<string, number> = Object.fromEntries(classTally);
    const held = span(labelledHoldout, options.time);
    const weights = await captureModel(trained.model);
    const profile = buildProfile(labelled, options.schema);
    // The model's scores on its own fitted rows: the reference for prediction drift.
    let scores: Float32Array | null = null;
    if (trained.task === 'binary' && labelled.length > 0) {
      const { probs, width } = predictProbabilities(trained.model, trained.encoder, labelled);
      scores = new Float32Array(labelled.length);
      for (let i = 0; i < labelled.length; i++) scores[i] = probs[i * width + (width - 1)];
    }
    const overallScores = scores ? scoreProfile(scores) : null;
    const cbpe = trained.task === 'binary' ? cbpeOfHoldout(trained, labelledHoldout, label, options.time) : null;
    const multiclassCbpe = trained.task === 'binary' ? null : multiclassCbpeOfHoldout(trained, labelledHoldout, label, options.time);
    const referenceSample = sampleReference(labelled, Object.keys(options.schema), options.time);
    // Permutation importance on the held-out rows: what drift and quality problems are weighted by.
    const toIndex = classIndexer(trained.classes);
    const scored = labelledHoldout.filter((r) => toIndex(r[label]) >= 0);
    const y = Int32Array.from(scored, (r) => toIndex(r[label]));
    const importance = scored.length > 0
      ? permutationImportance(scored, trained.encoder.features, (rs) => {
        const { probs, width } = predictProbabilities(trained.model, trained.encoder, rs);
        return evaluate(probs, width, y, trained.task).logLoss;
      }, { seed: options.seed ?? DEFAULTS.seed })
      : undefined;
    const periods = options.time ? weekdayProfiles(labelled, scores, options.time, options.schema, profile, overallScores) : null;
    return {
      format: ARTIFACT_FORMAT,
      type: trained.type,
      task: trained.task,
      label,
      features: trained.encoder.features,
      schema: { ...options.schema },
      classes: trained.classes,
      encoder: trained.encoder.state,
      metrics: trained.metrics,
      profile,
      referenceSample,
      ...(overallScores ? { scoreProfile: overallScores } : {}),
      ...(periods ? { periodProfiles: periods } : {}),
      ...(cbpe ? { cbpe: cbpe.reference, holdout: cbpe.holdout } : {}),
      ...(multiclassCbpe ? { cbpe: multiclassCbpe } : {}),
      trainedOn: {
        rows: trained.fitRows,
        ...span(labelled, options.time),
        holdoutRows: trained.metrics.rows,
        holdoutFrom: held.from,
        holdoutUntil: held.until,
        classCounts,
      },
      training: { backend: trained.backend, epochs: trained.epochsRun, seconds: trained.seconds },
      ...(importance ? { importance } : {}),
      ...weights,
    };
  } finally {
    trained.model.dispose();
  }
}

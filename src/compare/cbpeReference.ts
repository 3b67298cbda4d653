/**
 * The reference a CBPE estimate stands on, as NannyML fits it on a reference period: the
 * calibrator, the sampling error of a window, and the alert thresholds, all from labelled rows
 * the model did not learn from — its own held-out split at training time, or a period the
 * operator pins for a model that only appears in logs (`mlops-tui reference set`).
 *
 * Why not the first labelled rows the model serves (what this replaced): they are one time of
 * day. On the flights demo the first 2,000 are 2001-02-01 00:05–17:45 with 6.2% delayed against
 * 21.9% for February, so every score was calibrated into [0, 0.077] and the estimate ran ~11
 * points above the realised accuracy.
 *
 * Sampling error (NannyML's `accuracy_sampling_error`): the standard deviation of per-row
 * correctness on the reference divided by √n for a window of n rows; the band is ±3 of them.
 * Thresholds (NannyML's StandardDeviationThreshold, 3 sd): the reference split into chunks, the
 * realised accuracy of each, mean ± 3 sd of those. Binary models calibrate P(positive) with one
 * isotonic fit; multiclass models one-vs-rest per class (cbpe.ts, as NannyML), and a row's
 * P(correct) is the calibrated probability of its predicted class.
 */
import {
  calibrateBinary, calibrateMulticlass, fitBinaryCalibrator, fitMulticlassCalibrator, type BinaryCbpeCalibrator, type MulticlassCbpeCalibrator,
} from './cbpe.js';
import { mean as ssMean, sampleStandardDeviation } from 'simple-statistics';

export type CbpeReferenceSource = 'training-holdout' | 'pinned';

export interface CbpeReference {
  source: CbpeReferenceSource;
  calibrator: BinaryCbpeCalibrator | MulticlassCbpeCalibrator;
  /** Labelled reference rows, and their time span (ms) when known. */
  rows: number;
  from: number | null;
  until: number | null;
  /** Realised accuracy on the reference, and the sd of per-row correctness. */
  accuracy: number;
  correctSd: number;
  /** Rows per reference chunk, and mean ± 3 sd of the chunks' realised accuracy. */
  chunkSize: number;
  threshold: { lower: number; upper: number };
}

/** NannyML's default: 3 standard deviations for the band and the thresholds. */
export const SIGMAS = 3;
/** Fewer labelled reference rows than this give no estimate (the calibrator would be noise). */
export const MIN_REFERENCE_ROWS = 500;
/** Reference chunks for the threshold spread: about ten, of at least this many rows. */
export const MIN_CHUNK_ROWS = 250;

export class CbpeReferenceError extends Error {}

/**
 * Fits a reference from labelled rows in time order: `scores` P(positive), `labels` 0/1,
 * `predicted` the model's class (0/1).
 */
export function fitCbpeReference(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  meta: { source: CbpeReferenceSource; from?: number | null; until?: number | null },
): CbpeReference {
  const n = scores.length;
  if (labels.length !== n || predicted.length !== n) throw new RangeError('scores, labels and predictions differ in length');
  if (n < MIN_REFERENCE_ROWS) throw new CbpeReferenceError(`a CBPE reference needs at least ${MIN_REFERENCE_ROWS} labelled rows, got ${n}`);
  return referenceOf(fitBinaryCalibrator(scores, labels), labels, predicted, meta);
}

/**
 * The multiclass reference: `probs[i][k]` P(class k) in the model's class order, `labels` and
 * `predicted` class indices in the same order.
 */
export function fitMulticlassCbpeReference(
  probs: ArrayLike<number>[],
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
  meta: { source: CbpeReferenceSource; from?: number | null; until?: number | null },
): CbpeReference {
  const n = probs.length;
  if (labels.length !== n || predicted.length !== n) throw new RangeError('probabilities, labels and predictions differ in length');
  if (n < MIN_REFERENCE_ROWS) throw new CbpeReferenceError(`a CBPE reference needs at least ${MIN_REFERENCE_ROWS} labelled rows, got ${n}`);
  return referenceOf(fitMulticlassCalibrator(probs, labels, classes), labels, predicted, meta);
}

function referenceOf(
  calibrator: CbpeReference['calibrator'],
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  meta: { source: CbpeReferenceSource; from?: number | null; until?: number | null },
): CbpeReference {
  const n = labels.length;
  let correct = 0;
  for (let i = 0; i < n; i++) if (labels[i] === predicted[i]) correct++;
  const accuracy = correct / n;
  const correctSd = Math.sqrt(accuracy * (1 - accuracy));
  const chunkSize = Math.max(MIN_CHUNK_ROWS, Math.floor(n / 10));
  const chunks: number[] = [];
  for (let s = 0; s + chunkSize <= n; s += chunkSize) {
    let c = 0;
    for (let i = s; i < s + chunkSize; i++) if (labels[i] === predicted[i]) c++;
    chunks.push(c / chunkSize);
  }
  const mean = chunks.length > 0 ? ssMean(chunks) : Number.NaN;
  const sd = chunks.length > 1 ? sampleStandardDeviation(chunks) : 0;
  return {
    source: meta.source,
    calibrator,
    rows: n,
    from: meta.from ?? null,
    until: meta.until ?? null,
    accuracy,
    correctSd,
    chunkSize,
    threshold: { lower: Math.max(0, mean - SIGMAS * sd), upper: Math.min(1, mean + SIGMAS * sd) },
  };
}

/**
 * P(the prediction is right) for one row: the calibrated probability of the predicted class.
 * `score` is P(positive) for a binary reference, the class probabilities (the model's class
 * order) for a multiclass one; NaN when the row does not fit the reference.
 */
export function probabilityCorrect(ref: CbpeReference, score: number | ArrayLike<number>, predicted: number): number {
  const cal = ref.calibrator;
  if (cal.kind === 'cbpe-binary') {
    if (typeof score !== 'number') return Number.NaN;
    const p = calibrateBinary(cal, score);
    return predicted === 1 ? p : 1 - p;
  }
  if (typeof score === 'number' || score.length !== cal.classes || predicted < 0 || predicted >= cal.classes) return Number.NaN;
  return calibrateMulticlass(cal, score)[predicted];
}

/** The estimate's band for a window of `rows` rows: ± SIGMAS sampling errors, clipped to [0, 1]. */
export function estimateBand(ref: CbpeReference, estimated: number, rows: number): [number, number] {
  const e = rows > 0 ? (SIGMAS * ref.correctSd) / Math.sqrt(rows) : 1;
  return [Math.max(0, estimated - e), Math.min(1, estimated + e)];
}

/** A JSON round trip of a stored reference, checked (artifacts and the store hold it as JSON). */
export function parseCbpeReference(v: unknown): CbpeReference | null {
  if (v === null || typeof v !== 'object') return null;
  const r = v as Partial<CbpeReference>;
  const kind = (r.calibrator as { kind?: unknown } | undefined)?.kind;
  if ((r.source !== 'training-holdout' && r.source !== 'pinned') || (kind !== 'cbpe-binary' && kind !== 'cbpe-multiclass') || typeof r.rows !== 'number' || !r.threshold) return null;
  return r as CbpeReference;
}

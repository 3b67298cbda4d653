/**
 * Confidence-based performance estimation (CBPE) as NannyML does it, for the stretch
 * between a prediction and its label.
 *
 * Binary: scores are calibrated with isotonic regression fitted on the reference's labelled
 * rows; a calibrated probability p of class 1 adds p to TP and 1−p to FP when the model
 * predicted 1, p to FN and 1−p to TN when it predicted 0. Estimated accuracy is (TP+TN)/n.
 * Estimated ROC AUC follows nannyml.performance_estimation.confidence_based.metrics
 * .estimate_roc_auc: rows sorted by the uncalibrated score (descending), cumulative
 * calibrated p as expected true positives, i+1 minus that as expected false positives,
 * both rounded to 5 decimals, trapezoidal area under the normalised curve. Tied scores
 * are ordered by decreasing row index (numpy's argsort reversed, when it sorts stably).
 *
 * Multiclass: one isotonic calibrator per class (one-vs-rest), calibrated rows renormalised
 * to sum 1 (uniform when all are 0), estimated accuracy = mean calibrated probability of the
 * predicted class — NannyML's max(binarised prediction × calibrated probabilities).
 *
 * NannyML only calibrates when a cross-validated check says it helps; here calibration is
 * always fitted (isotonic is near-identity on already calibrated scores) unless the caller
 * builds an identity calibrator. Calibrators are plain JSON for the engine to store.
 */
import { fitIsotonic, predictIsotonic, type IsotonicModel } from './isotonic.js';

export interface BinaryCbpeCalibrator {
  kind: 'cbpe-binary';
  /** null means scores are used as they are */
  isotonic: IsotonicModel | null;
}

export interface MulticlassCbpeCalibrator {
  kind: 'cbpe-multiclass';
  classes: number;
  /** per class, calibrating P(label = k); null = identity */
  perClass: (IsotonicModel | null)[];
}

export interface EstimatedConfusion {
  n: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface BinaryEstimate extends EstimatedConfusion {
  accuracy: number;
  rocAuc: number;
}

export function identityBinaryCalibrator(): BinaryCbpeCalibrator {
  return { kind: 'cbpe-binary', isotonic: null };
}

/** Fits the calibrator on reference rows: scores are P(label = 1), labels 0/1. */
export function fitBinaryCalibrator(scores: ArrayLike<number>, labels: ArrayLike<number>): BinaryCbpeCalibrator {
  return { kind: 'cbpe-binary', isotonic: fitIsotonic(scores, labels) };
}

export function calibrateBinary(calibrator: BinaryCbpeCalibrator, score: number): number {
  return calibrator.isotonic ? predictIsotonic(calibrator.isotonic, score) : score;
}

/**
 * Additive expected confusion matrix: the engine adds each unlabelled prediction at ingest
 * and reads the estimated accuracy in O(1).
 */
export class CbpeAccumulator {
  private c: EstimatedConfusion;

  constructor(state?: EstimatedConfusion) {
    this.c = state ? { ...state } : { n: 0, tp: 0, fp: 0, fn: 0, tn: 0 };
  }

  static fromJSON(state: EstimatedConfusion): CbpeAccumulator {
    return new CbpeAccumulator(state);
  }

  toJSON(): EstimatedConfusion {
    return { ...this.c };
  }

  /** p: calibrated probability of class 1; predicted: the model's class (0/1). */
  add(p: number, predicted: number): this {
    this.apply(p, predicted, 1);
    return this;
  }

  remove(p: number, predicted: number): this {
    this.apply(p, predicted, -1);
    return this;
  }

  merge(other: CbpeAccumulator): this {
    const o = other.c;
    this.c.n += o.n;
    this.c.tp += o.tp;
    this.c.fp += o.fp;
    this.c.fn += o.fn;
    this.c.tn += o.tn;
    return this;
  }

  confusion(): EstimatedConfusion {
    return { ...this.c };
  }

  accuracy(): number {
    return this.c.n > 0 ? (this.c.tp + this.c.tn) / this.c.n : NaN;
  }

  private apply(p: number, predicted: number, sign: 1 | -1): void {
    this.c.n += sign;
    if (predicted === 1) {
      this.c.tp += sign * p;
      this.c.fp += sign * (1 - p);
    } else {
      this.c.fn += sign * p;
      this.c.tn += sign * (1 - p);
    }
  }
}

/** NannyML's estimate_roc_auc(calibrated, uncalibrated). NaN when undefined. */
export function estimateRocAuc(calibrated: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = calibrated.length;
  if (n !== scores.length) throw new RangeError('length mismatch');
  if (n === 0) return NaN;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => scores[a] - scores[b]);
  order.reverse();
  return aucFromExpectedPositives(n, (i) => calibrated[order[i]]);
}

/**
 * NannyML's curve arithmetic: over the rows in descending score order, the
 * cumulative expected true and false positives (rounded to 5 decimals, as
 * NannyML does) trace the estimated ROC curve; its trapezoid area is the AUC.
 * `pAt(i)` is the calibrated probability of the i-th row in that order.
 */
export function aucFromExpectedPositives(n: number, pAt: (i: number) => number): number {
  const round5 = (v: number): number => Math.round(v * 1e5) / 1e5;
  const tps = new Float64Array(n + 1);
  const fps = new Float64Array(n + 1);
  let cum = 0;
  for (let i = 0; i < n; i++) {
    cum += pAt(i);
    tps[i + 1] = round5(cum);
    fps[i + 1] = round5(i + 1 - cum);
  }
  const tpTotal = tps[n];
  const fpTotal = fps[n];
  if (!(tpTotal > 0) || !(fpTotal > 0)) return NaN;
  let area = 0;
  for (let i = 1; i <= n; i++) area += ((fps[i] - fps[i - 1]) / fpTotal) * ((tps[i] + tps[i - 1]) / tpTotal) * 0.5;
  return area;
}

/** Estimated confusion matrix, accuracy and ROC AUC of unlabelled binary predictions. */
export function estimateBinary(
  calibrator: BinaryCbpeCalibrator,
  scores: ArrayLike<number>,
  predicted: ArrayLike<number>,
): BinaryEstimate {
  if (scores.length !== predicted.length) throw new RangeError('length mismatch');
  const calibrated = new Float64Array(scores.length);
  const acc = new CbpeAccumulator();
  for (let i = 0; i < scores.length; i++) {
    calibrated[i] = calibrateBinary(calibrator, scores[i]);
    acc.add(calibrated[i], predicted[i]);
  }
  return { ...acc.confusion(), accuracy: acc.accuracy(), rocAuc: estimateRocAuc(calibrated, scores) };
}

/** One-vs-rest isotonic calibrators on reference rows; probs[i][k] = P(label = k). */
export function fitMulticlassCalibrator(
  probs: ArrayLike<number>[],
  labels: ArrayLike<number>,
  classes: number,
): MulticlassCbpeCalibrator {
  if (probs.length !== labels.length) throw new RangeError('length mismatch');
  const perClass: IsotonicModel[] = [];
  for (let k = 0; k < classes; k++) {
    const x = new Float64Array(probs.length);
    const y = new Float64Array(probs.length);
    for (let i = 0; i < probs.length; i++) {
      x[i] = probs[i][k];
      y[i] = labels[i] === k ? 1 : 0;
    }
    perClass.push(fitIsotonic(x, y));
  }
  return { kind: 'cbpe-multiclass', classes, perClass };
}

export function calibrateMulticlass(calibrator: MulticlassCbpeCalibrator, probs: ArrayLike<number>): number[] {
  const k = calibrator.classes;
  const out: number[] = new Array(k);
  let total = 0;
  for (let j = 0; j < k; j++) {
    const model = calibrator.perClass[j];
    out[j] = model ? predictIsotonic(model, probs[j]) : probs[j];
    total += out[j];
  }
  for (let j = 0; j < k; j++) out[j] = total !== 0 ? out[j] / total : 1 / k;
  return out;
}

/**
 * Mean calibrated probability of the predicted class. predicted defaults to the argmax of
 * the raw probabilities (what the model would output).
 */
export function estimateMulticlassAccuracy(
  calibrator: MulticlassCbpeCalibrator,
  probs: ArrayLike<number>[],
  predicted?: ArrayLike<number>,
): number {
  if (probs.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < probs.length; i++) {
    const cal = calibrateMulticlass(calibrator, probs[i]);
    const cls = predicted ? predicted[i] : argmax(probs[i]);
    sum += cal[cls] ?? 0;
  }
  return sum / probs.length;
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < v.length; j++) if (v[j] > v[best]) best = j;
  return best;
}

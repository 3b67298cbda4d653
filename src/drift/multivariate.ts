// Multivariate drift as NannyML's data reconstruction drift: learn the reference's linear
// structure with PCA, then measure how badly new rows are reconstructed from it. A change in
// correlations between features raises the error even when every marginal looks the same,
// which no per-column test can see.
//
// Steps, matching NannyML + scikit-learn: missing values take the reference column mean
// (SimpleImputer 'mean'); columns are standardised with the reference mean and population
// standard deviation (StandardScaler; a constant column keeps scale 1); PCA keeps the fewest
// components whose explained variance exceeds `varianceKept` (sklearn's n_components=0.65 rule);
// a row's error is the Euclidean distance between the standardised row and its reconstruction;
// a chunk's error is the mean over its rows. Thresholds are the mean ± 3 standard deviations
// (population, as np.std) of the reference chunks' errors; like NannyML, a lower threshold below
// zero is dropped. Categorical features are expected already encoded (one-hot or frequency)
// by the caller.

import { covariance, symmetricEigen } from './linalg.js';
import { mean as ssMean, standardDeviation } from 'simple-statistics';

export interface ReconstructionOptions {
  /** Share of variance the kept components must exceed (default 0.65, as NannyML). */
  varianceKept?: number;
  /** Rows per reference chunk; default: the reference split into 10 chunks (NannyML's default chunker). */
  chunkSize?: number;
  /** Standard deviations either side of the reference chunks' mean error (default 3). */
  stdMultiplier?: number;
}

/** Everything needed to score new rows; plain JSON, so it can be stored with the model. */
export interface ReconstructionModel {
  version: 1;
  featureCount: number;
  /** Reference column means (also the imputation value for missing cells). */
  means: number[];
  /** Reference column population standard deviations (1 for constant columns). */
  scales: number[];
  /** Kept principal axes in standardised space, one unit vector per row. */
  components: number[][];
  /** Explained variance ratio of every component, largest first. */
  explainedVarianceRatio: number[];
  varianceKept: number;
  chunkSize: number;
  referenceChunkErrors: number[];
  /** null when mean − k·sd falls below zero (errors cannot be negative), as NannyML does. */
  lower: number | null;
  upper: number;
}

export interface ReconstructionCheck {
  error: number;
  lower: number | null;
  upper: number;
  alert: boolean;
}

function columnStats(reference: readonly (readonly number[])[], d: number): { means: number[]; scales: number[] } {
  const means: number[] = [];
  const scales: number[] = [];
  for (let j = 0; j < d; j++) {
    let sum = 0;
    let n = 0;
    for (const r of reference) {
      const x = r[j];
      if (Number.isFinite(x)) {
        sum += x;
        n += 1;
      }
    }
    if (n === 0) throw new RangeError(`feature ${j} has no finite value in the reference`);
    const mean = sum / n;
    // Imputed cells sit at the mean, so they add nothing to the sum of squares but count in n,
    // exactly as when StandardScaler sees the imputed matrix.
    let ss = 0;
    for (const r of reference) {
      const x = r[j];
      if (Number.isFinite(x)) ss += (x - mean) * (x - mean);
    }
    const sd = Math.sqrt(ss / reference.length);
    means.push(mean);
    // sklearn treats a scale this close to zero as a constant column.
    scales.push(sd < 10 * Number.EPSILON * Math.max(1, Math.abs(mean)) ? 1 : sd);
  }
  return { means, scales };
}

function standardise(row: readonly number[], means: readonly number[], scales: readonly number[]): number[] {
  if (row.length !== means.length) throw new RangeError(`expected ${means.length} features, got ${row.length}`);
  return row.map((x, j) => (Number.isFinite(x) ? (x - means[j]) / scales[j] : 0));
}

/** Distance between a standardised row and its projection on the kept components. */
function rowError(z: readonly number[], components: readonly (readonly number[])[]): number {
  const residual = z.slice();
  for (const c of components) {
    let score = 0;
    for (let j = 0; j < z.length; j++) score += z[j] * c[j];
    for (let j = 0; j < z.length; j++) residual[j] -= score * c[j];
  }
  let ss = 0;
  for (const r of residual) ss += r * r;
  return Math.sqrt(ss);
}

function meanError(
  rows: readonly (readonly number[])[],
  model: Pick<ReconstructionModel, 'means' | 'scales' | 'components'>,
): number {
  if (rows.length === 0) throw new RangeError('no rows to score');
  let sum = 0;
  for (const r of rows) sum += rowError(standardise(r, model.means, model.scales), model.components);
  return sum / rows.length;
}

/** Number of leading components whose cumulative ratio first exceeds `kept` (sklearn's rule). */
function componentsToKeep(ratios: readonly number[], kept: number): number {
  let cumulative = 0;
  for (let k = 0; k < ratios.length; k++) {
    cumulative += ratios[k];
    if (cumulative > kept) return k + 1;
  }
  return ratios.length;
}

export function fitReconstruction(
  reference: readonly (readonly number[])[],
  opts: ReconstructionOptions = {},
): ReconstructionModel {
  const varianceKept = opts.varianceKept ?? 0.65;
  const k = opts.stdMultiplier ?? 3;
  if (!(varianceKept > 0 && varianceKept < 1)) throw new RangeError('varianceKept must be in (0, 1)');
  const n = reference.length;
  const chunkSize = opts.chunkSize ?? Math.floor(n / 10);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError('chunkSize must be a positive integer');
  const chunkCount = Math.floor(n / chunkSize);
  if (chunkCount < 2) throw new RangeError(`reference of ${n} rows gives fewer than 2 chunks of ${chunkSize}`);
  const d = reference[0].length;
  if (d === 0) throw new RangeError('no features');
  for (const r of reference) if (r.length !== d) throw new RangeError('reference rows differ in length');

  const { means, scales } = columnStats(reference, d);
  const standardised = reference.map((r) => standardise(r, means, scales));
  const eig = symmetricEigen(covariance(standardised));
  // Rounding can leave tiny negative eigenvalues on rank-deficient data; they carry no variance.
  const variances = eig.values.map((v) => Math.max(v, 0));
  const total = variances.reduce((s, v) => s + v, 0);
  if (!(total > 0)) throw new RangeError('reference has no variance');
  const explainedVarianceRatio = variances.map((v) => v / total);
  const components = eig.vectors.slice(0, componentsToKeep(explainedVarianceRatio, varianceKept));

  // Rows past the last full chunk are left out of the thresholds: a short chunk's mean error
  // is noisier and would widen them.
  const referenceChunkErrors: number[] = [];
  for (let c = 0; c < chunkCount; c++) {
    referenceChunkErrors.push(meanError(reference.slice(c * chunkSize, (c + 1) * chunkSize), { means, scales, components }));
  }
  // Population standard deviation (divides by the chunk count), as NannyML computes it.
  const mean = ssMean(referenceChunkErrors);
  const sd = standardDeviation(referenceChunkErrors);
  const lower = mean - k * sd;

  return {
    version: 1,
    featureCount: d,
    means,
    scales,
    components,
    explainedVarianceRatio,
    varianceKept,
    chunkSize,
    referenceChunkErrors,
    lower: lower >= 0 ? lower : null,
    upper: mean + k * sd,
  };
}

/** Mean reconstruction error of `rows` (one chunk) under the model. */
export function reconstructionError(model: ReconstructionModel, rows: readonly (readonly number[])[]): number {
  return meanError(rows, model);
}

/** Scores one chunk and says whether it falls outside the reference band. */
export function checkReconstruction(model: ReconstructionModel, rows: readonly (readonly number[])[]): ReconstructionCheck {
  const error = reconstructionError(model, rows);
  const lower = model.lower;
  const alert = !((lower === null || lower < error) && error < model.upper);
  return { error, lower, upper: model.upper, alert };
}

/**
 * Permutation importance (Breiman 2001; scikit-learn's `permutation_importance`): how much a
 * model's loss grows when one feature's column is shuffled across rows, which breaks the
 * feature's link to the label while keeping its distribution. Measured on held-out rows with
 * log loss, a proper score that moves even when accuracy does not (a model that mostly
 * predicts the majority class keeps its accuracy with any feature shuffled). Pure: the model
 * comes in as a loss function of rows.
 */
import { mulberry32, hashString } from '../util/random.js';

export interface FeatureImportance {
  /** the loss whose increase is reported */
  metric: 'logLoss';
  /** held-out rows it was measured on */
  rows: number;
  repeats: number;
  /** mean increase of the loss per feature (may be slightly negative for an unused feature) */
  values: Record<string, number>;
}

export const IMPORTANCE_REPEATS = 3;

/** Fisher–Yates shuffle of the indices 0..n-1 with a seeded generator. */
function permutation(n: number, seed: number): Uint32Array {
  const rng = mulberry32(seed);
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

export function permutationImportance(
  rows: readonly Record<string, unknown>[],
  features: readonly string[],
  loss: (rows: readonly Record<string, unknown>[]) => number,
  opts: { repeats?: number; seed?: number } = {},
): FeatureImportance {
  const repeats = opts.repeats ?? IMPORTANCE_REPEATS;
  const seed = opts.seed ?? 42;
  const base = loss(rows);
  const values: Record<string, number> = {};
  for (const f of features) {
    let sum = 0;
    for (let k = 0; k < repeats; k++) {
      const p = permutation(rows.length, (seed + hashString(f) + k * 7919) >>> 0);
      const shuffled = rows.map((r, i) => ({ ...r, [f]: rows[p[i]!]![f] }));
      sum += loss(shuffled) - base;
    }
    values[f] = sum / repeats;
  }
  return { metric: 'logLoss', rows: rows.length, repeats, values };
}

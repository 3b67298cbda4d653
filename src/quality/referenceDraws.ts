/**
 * Draws from a feature's reference distribution (a model's training profile): what a cleaned
 * value looks like when the true one is unknown. Used to estimate what cleaning buys and to
 * repair flagged rows before a retrain. Exact value counts when the profile kept them, else
 * its sample of the column.
 */
import type { ColumnProfile } from '../drift/profile.js';
import type { Rng } from '../util/random.js';

/** A sampler of one feature's reference distribution (its non-missing values). */
export function referenceSampler(col: ColumnProfile | undefined): ((rng: Rng) => unknown) | null {
  if (!col || col.count === 0) return null;
  let values: unknown[];
  let weights: number[];
  if (col.kind === 'categorical') {
    values = Object.keys(col.counts);
    weights = Object.values(col.counts);
  } else if (col.valueCounts) {
    values = Object.keys(col.valueCounts).map(Number);
    weights = Object.values(col.valueCounts);
  } else {
    const sample = col.sample;
    return (rng) => sample[Math.floor(rng() * sample.length)];
  }
  const cum: number[] = [];
  let s = 0;
  for (const w of weights) cum.push((s += w));
  return (rng) => {
    const u = rng() * s;
    let lo = 0; let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > u) hi = mid; else lo = mid + 1;
    }
    return values[lo];
  };
}


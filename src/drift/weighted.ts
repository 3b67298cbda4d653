// KS statistic and Wasserstein distance of two discrete distributions given as ascending
// distinct values with counts. Profiles keep exact value counts for numerics with at most
// DISTINCT_CAP distinct values (hours, distances, small integers), so for those columns a live
// window's KS and Wasserstein are exact at any window size, with no sampling noise.

export interface WeightedValues {
  /** Ascending, distinct. */
  values: number[];
  counts: number[];
}

/** Value counts keyed by String(value) → ascending (values, counts). */
export function fromValueCounts(counts: Readonly<Record<string, number>>): WeightedValues {
  const pairs = Object.entries(counts)
    .map(([k, c]) => [Number(k), c] as const)
    .filter(([, c]) => c > 0)
    .sort((a, b) => a[0] - b[0]);
  return { values: pairs.map((p) => p[0]), counts: pairs.map((p) => p[1]) };
}

function total(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** Walks the merged support, calling f(value, F_a(value), F_b(value)) with right-continuous CDFs. */
function walk(a: WeightedValues, b: WeightedValues, f: (x: number, fa: number, fb: number) => void): void {
  const na = total(a.counts);
  const nb = total(b.counts);
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  while (i < a.values.length || j < b.values.length) {
    const x = j >= b.values.length || (i < a.values.length && a.values[i] <= b.values[j]) ? a.values[i] : b.values[j];
    if (i < a.values.length && a.values[i] === x) ca += a.counts[i++];
    if (j < b.values.length && b.values[j] === x) cb += b.counts[j++];
    f(x, ca / na, cb / nb);
  }
}

export function ksStatisticWeighted(a: WeightedValues, b: WeightedValues): number {
  let d = 0;
  walk(a, b, (_, fa, fb) => {
    d = Math.max(d, Math.abs(fa - fb));
  });
  return d;
}

export function wassersteinWeighted(a: WeightedValues, b: WeightedValues): number {
  let w = 0;
  let prev = NaN;
  let gap = 0;
  walk(a, b, (x, fa, fb) => {
    if (!Number.isNaN(prev)) w += gap * (x - prev);
    prev = x;
    gap = Math.abs(fa - fb);
  });
  return w;
}

// First Wasserstein (earth mover's) distance between two samples, as
// scipy.stats.wasserstein_distance(u, v) computes it (∫|F_u − F_v| over the merged values), and
// normalised by the reference's population standard deviation floored at 0.001, as Evidently's
// wasserstein_distance_norm does, so the threshold 0.1 means "a tenth of a reference sd".
// wassersteinFromQuantiles works on stored quantile arrays (profiles, aggregates) instead.

/** W1 between two ascending arrays by a merge pass over the union of values. */
export function wassersteinSorted(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const n = u.length;
  const m = v.length;
  if (n === 0 || m === 0) return NaN;
  let i = 0;
  let j = 0;
  let prev = Math.min(u[0], v[0]);
  let total = 0;
  while (i < n || j < m) {
    const x = j >= m || (i < n && u[i] <= v[j]) ? u[i] : v[j];
    total += Math.abs(i / n - j / m) * (x - prev);
    prev = x;
    while (i < n && u[i] <= x) i++;
    while (j < m && v[j] <= x) j++;
  }
  return total;
}

export function wasserstein(u: ArrayLike<number>, v: ArrayLike<number>): number {
  return wassersteinSorted(Float64Array.from(u).sort(), Float64Array.from(v).sort());
}

/** Evidently's normaliser: max(np.std(reference), 0.001). */
export function wassersteinNorm(referenceStd: number): number {
  return Math.max(referenceStd, 0.001);
}

export function populationStd(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i] - mean) ** 2;
  return Math.sqrt(ss / n);
}

export function wassersteinNormalised(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  return wasserstein(reference, current) / wassersteinNorm(populationStd(reference));
}

/**
 * W1 = ∫₀¹ |Q_u(p) − Q_v(p)| dp from two quantile arrays on the same evenly spaced grid
 * (numpy.quantile at linspace(0, 1, k+1)). Both quantile functions are taken as piecewise
 * linear between grid points and the integral of |difference| is exact for that, including
 * segments where the two cross. The error against the samples' distance comes from the
 * interpolation and is largest in long tails (bounded by the tails' spread over one grid step).
 */
export function wassersteinFromQuantiles(qu: readonly number[], qv: readonly number[]): number {
  if (qu.length !== qv.length || qu.length < 2) throw new RangeError('quantile arrays must share a grid of >= 2 points');
  const step = 1 / (qu.length - 1);
  let total = 0;
  for (let i = 0; i + 1 < qu.length; i++) {
    const a = qu[i] - qv[i];
    const b = qu[i + 1] - qv[i + 1];
    if ((a >= 0 && b >= 0) || (a <= 0 && b <= 0)) total += (step * Math.abs(a + b)) / 2;
    else total += (step * (a * a + b * b)) / (2 * (Math.abs(a) + Math.abs(b)));
  }
  return total;
}

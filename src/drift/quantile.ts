// Our own quantiles, not simple-statistics': drift thresholds and PSI bins are checked against
// numpy/scipy fixtures, and simple-statistics' quantileSorted uses a different definition (no
// numpy 'linear' interpolation); the bounds below are searchsorted, which it does not have.
/** numpy.quantile's default ('linear' interpolation) on an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** numpy.linspace(0, 1, k + 1) quantiles of an ascending array. */
export function evenQuantiles(sorted: ArrayLike<number>, k: number): number[] {
  if (sorted.length === 0) return [];
  const out: number[] = [];
  for (let i = 0; i <= k; i++) out.push(quantileSorted(sorted, i / k));
  return out;
}

/** Number of elements <= x in an ascending array (searchsorted side='right'). */
export function upperBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of elements < x in an ascending array (searchsorted side='left'). */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

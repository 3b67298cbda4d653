// PSI bins: the reference's deciles. Edges are the unique values of
// numpy.quantile(ref, linspace(0, 1, 11)); the outer bins are open (the first takes everything
// below the second edge, the last everything from the last inner edge up), so current values
// outside the reference's range still land in a bin instead of being dropped.
import { evenQuantiles } from './quantile.js';

export const PSI_BINS = 10;

export function decileEdges(sorted: ArrayLike<number>): number[] {
  const q = evenQuantiles(sorted, PSI_BINS);
  const edges: number[] = [];
  for (const x of q) if (edges.length === 0 || x !== edges[edges.length - 1]) edges.push(x);
  return edges;
}

export function binCountOf(edges: readonly number[]): number {
  return Math.max(1, edges.length - 1);
}

/** Index of the bin holding x: numpy.searchsorted(edges[1:-1], x, side='right'). */
export function binIndex(edges: readonly number[], x: number): number {
  // Binary search over the inner edges edges[1 .. len-2] without slicing.
  let lo = 1;
  let hi = Math.max(1, edges.length - 1);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export function countInBins(edges: readonly number[], values: ArrayLike<number>): number[] {
  const counts = new Array<number>(binCountOf(edges)).fill(0);
  for (let i = 0; i < values.length; i++) counts[binIndex(edges, values[i])]++;
  return counts;
}


/**
 * countInBins for ascending values, by a binary search per inner edge instead of one per value:
 * the profiles of exact columns are sorted already, and binning a current file's 10^6 values
 * per column on the reference's edges was on the critical path after its worker returned.
 */
export function countSortedInBins(edges: readonly number[], sorted: ArrayLike<number>): number[] {
  const k = binCountOf(edges);
  const counts = new Array<number>(k).fill(0);
  const n = sorted.length;
  let prev = 0;
  for (let b = 0; b < k - 1; b++) {
    // First index whose value is >= the inner edge edges[b + 1] (binIndex counts edges <= x).
    const e = edges[b + 1];
    let lo = prev;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < e) lo = mid + 1;
      else hi = mid;
    }
    counts[b] = lo - prev;
    prev = lo;
  }
  counts[k - 1] = n - prev;
  return counts;
}

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


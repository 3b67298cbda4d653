/**
 * What a bench returns to `bench/run.ts`. A bench that prints its own table
 * and returns nothing is also accepted by the runner; returning rows is what
 * puts a bench into the closing summary.
 */
export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  /** The same quantity measured for the reference implementation in the same run. */
  baseline?: number;
  /** value / baseline, or whichever way round the bench states in `target`. */
  ratio?: number;
  /** Human-readable target, e.g. ">= 0.5 of raw" or ">= 100000 lines/s". */
  target?: string;
  met?: boolean;
}

export interface BenchResult {
  name: string;
  rows: BenchRow[];
  notes?: string[];
}

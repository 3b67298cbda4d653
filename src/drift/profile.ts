// The profile of a dataset: everything drift needs to know about a column, small enough to
// store with a model. A reference profile is built once from the training rows; live windows
// produce the same shape from accumulators (accumulators.ts), so every comparison works on
// two profiles and never re-reads history.
//
// Conventions: `count` is the number of non-missing values and `missing` the number of
// missing ones (rows of the column = count + missing). `std` is the population standard
// deviation (numpy.std, ddof=0), as Evidently uses to normalise Wasserstein. An empty column
// has count 0 and mean/std/min/max 0 (JSON has no NaN), with empty quantiles and sample.
import { countSortedInBins, decileEdges } from './bins.js';
import { evenQuantiles } from './quantile.js';
import { toCategory, toNumber } from '../core/values.js';

export type ColumnKind = 'numeric' | 'categorical';
export type FeatureSchema = Record<string, ColumnKind>;

export interface NumericProfile {
  kind: 'numeric';
  count: number;
  missing: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Distinct non-missing values, capped at DISTINCT_CAP. */
  distinct: number;
  /** numpy.quantile at linspace(0, 1, QUANTILE_STEPS + 1). */
  quantiles: number[];
  /** PSI bins: unique reference deciles (see bins.ts). */
  binEdges: number[];
  binCounts: number[];
  /** Ascending sample of at most SAMPLE_CAP values; the whole column when it fits. */
  sample: number[];
  /** Exact counts per value (key String(value)) when the column has fewer than VALUE_COUNTS_CAP distinct values. */
  valueCounts?: Record<string, number>;
  /**
   * Every non-missing value, ascending: only offline profiles of files (which hold them sorted
   * anyway), so KS and Wasserstein are exact beyond the sample. Not enumerable: never stored or serialised.
   */
  values?: Float64Array;
}

export interface CategoricalProfile {
  kind: 'categorical';
  count: number;
  missing: number;
  counts: Record<string, number>;
}

export type ColumnProfile = NumericProfile | CategoricalProfile;

export interface DatasetProfile {
  rows: number;
  columns: Record<string, ColumnProfile>;
}

export const DISTINCT_CAP = 1000;
export const QUANTILE_STEPS = 100;
export const SAMPLE_CAP = 5000;
/**
 * Numerics with at most this many distinct values keep exact value counts: low-cardinality ones
 * (flags, small counts) are compared as categories, and for the rest KS and Wasserstein are
 * computed exactly from the counts (weighted.ts) instead of from the sample.
 */
export const VALUE_COUNTS_CAP = DISTINCT_CAP;

/**
 * A bounded sample of an ascending array. When the column is larger than the cap we take
 * evenly spaced order statistics (the value at rank (i + 0.5)·n/k): deterministic, and its
 * empirical CDF is within 1/k of the full column's everywhere, tighter than a random sample.
 */
export function systematicSample(sorted: ArrayLike<number>, cap = SAMPLE_CAP): number[] {
  const n = sorted.length;
  if (n <= cap) return Array.from(sorted);
  const out = new Array<number>(cap);
  for (let i = 0; i < cap; i++) out[i] = sorted[Math.floor(((i + 0.5) * n) / cap)];
  return out;
}

/** Profile of an ascending array of non-missing values, binned on `edges` (its own deciles when omitted). */
export function numericProfileFromSorted(
  sorted: ArrayLike<number>,
  missing: number,
  edges?: readonly number[],
  opts: { keepValues?: boolean } = {},
): NumericProfile {
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const mean = n > 0 ? sum / n : 0;
  let ss = 0;
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i] - mean;
    ss += d * d;
    if (distinct < DISTINCT_CAP && (i === 0 || sorted[i] !== sorted[i - 1])) distinct++;
  }
  const binEdges = edges ? [...edges] : decileEdges(sorted);
  let valueCounts: Record<string, number> | undefined;
  if (n > 0 && distinct < VALUE_COUNTS_CAP) {
    // Ascending input: each value's run is contiguous.
    const entries: Array<[string, number]> = [];
    for (let i = 0; i < n; i++) {
      if (i > 0 && sorted[i] === sorted[i - 1]) entries[entries.length - 1][1]++;
      else entries.push([String(sorted[i]), 1]);
    }
    valueCounts = Object.fromEntries(entries);
  }
  const profile: NumericProfile = {
    kind: 'numeric',
    count: n,
    missing,
    mean,
    std: n > 0 ? Math.sqrt(ss / n) : 0,
    min: n > 0 ? sorted[0] : 0,
    max: n > 0 ? sorted[n - 1] : 0,
    distinct,
    quantiles: evenQuantiles(sorted, QUANTILE_STEPS),
    binEdges,
    binCounts: n > 0 ? countSortedInBins(binEdges, sorted) : new Array<number>(Math.max(1, binEdges.length - 1)).fill(0),
    sample: systematicSample(sorted),
  };
  if (valueCounts) profile.valueCounts = valueCounts;
  else if (opts.keepValues && n > SAMPLE_CAP) {
    // Not enumerable: JSON, spreads and equality checks see the same profile as without it.
    const values = sorted instanceof Float64Array ? sorted : Float64Array.from(sorted);
    Object.defineProperty(profile, 'values', { value: values, enumerable: false });
  }
  return profile;
}

/** A growable Float64Array: numeric columns of unknown length without boxing each value. */
export class GrowableFloats {
  /** Backing store; only the first `length` values are meaningful. */
  buf = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = x;
  }
  sorted(): Float64Array {
    return this.buf.slice(0, this.length).sort();
  }
}

/**
 * Exact profile of a full dataset. Holds the numeric columns in memory once. Given a reference
 * profile, numeric columns are binned on the reference's PSI edges (what a current dataset
 * needs to be compared with it); otherwise on their own deciles (a reference).
 */
export function buildProfile(
  rows: Iterable<Record<string, unknown>>,
  schema: FeatureSchema,
  reference?: DatasetProfile,
): DatasetProfile {
  const names = Object.keys(schema);
  const nums = new Map<string, { values: GrowableFloats; missing: number }>();
  // Categories counted in Maps: a category named "__proto__" or "constructor" is just a key.
  const cats = new Map<string, { count: number; missing: number; counts: Map<string, number> }>();
  for (const name of names) {
    if (schema[name] === 'numeric') nums.set(name, { values: new GrowableFloats(), missing: 0 });
    else cats.set(name, { count: 0, missing: 0, counts: new Map() });
  }
  let total = 0;
  for (const row of rows) {
    total++;
    for (const [name, acc] of nums) {
      const x = toNumber(row[name]);
      if (x === null) acc.missing++;
      else acc.values.push(x);
    }
    for (const [name, acc] of cats) {
      const c = toCategory(row[name]);
      if (c === null) acc.missing++;
      else {
        acc.count++;
        acc.counts.set(c, (acc.counts.get(c) ?? 0) + 1);
      }
    }
  }
  const columns: Record<string, ColumnProfile> = {};
  for (const name of names) {
    const num = nums.get(name);
    const ref = reference?.columns[name];
    const edges = ref && ref.kind === 'numeric' ? ref.binEdges : undefined;
    if (num) columns[name] = numericProfileFromSorted(num.values.sorted(), num.missing, edges);
    else {
      const c = cats.get(name)!;
      columns[name] = { kind: 'categorical', count: c.count, missing: c.missing, counts: Object.fromEntries(c.counts) };
    }
  }
  return { rows: total, columns };
}

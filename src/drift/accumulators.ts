// Live-window accumulators: take values one at a time, merge, and produce the same profile shape
// as a reference (profile.ts), in time and memory independent of how much history exists.
//
// Numeric columns keep exact moments (Welford, merged with Chan's formula), min/max, counts on
// the reference's PSI bins, distinct values up to a cap, and a bounded uniform sample
// (reservoir, Algorithm R, seeded so runs are reproducible) for KS and Wasserstein.
// Why a reservoir rather than a quantile sketch (KLL, t-digest): KS and Wasserstein need the
// empirical CDF of the window, and a uniform sample gives it with a known error
// (sup-norm ≈ 1.36/√k at 95%, ≈ 0.02 for k = 5000) while keeping the exact values, so it is
// exact whenever the window is no larger than the reservoir (the ≤ 1,000-row regime where
// p-values are used), handles values outside the reference's range, and merges in O(k)
// (a hypergeometric split of k between the two parts). The p-value always uses the true window
// size, not the sample size.
import { binCountOf, binIndex } from './bins.js';
import type { CategoricalProfile, ColumnProfile, DatasetProfile, FeatureSchema, NumericProfile } from './profile.js';
import { DISTINCT_CAP, QUANTILE_STEPS, SAMPLE_CAP, VALUE_COUNTS_CAP } from './profile.js';
import { evenQuantiles } from './quantile.js';
import { hashString, mulberry32 } from '../util/random.js';
import { toCategory, toNumber } from '../core/values.js';

export interface NumericAccumulatorOptions {
  /** Reservoir size (default SAMPLE_CAP). */
  sampleSize?: number;
  seed?: number;
}

export class NumericAccumulator {
  readonly kind = 'numeric' as const;
  readonly edges: readonly number[];
  count = 0;
  missing = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private readonly bins: number[];
  /** value → count while the column has at most DISTINCT_CAP distinct values; null beyond. */
  private values: Map<number, number> | null = new Map();
  private readonly capacity: number;
  private reservoir: Float64Array;
  private readonly rand: () => number;

  constructor(edges: readonly number[], opts: NumericAccumulatorOptions = {}) {
    this.edges = [...edges];
    this.bins = new Array<number>(binCountOf(this.edges)).fill(0);
    this.capacity = opts.sampleSize ?? SAMPLE_CAP;
    this.reservoir = new Float64Array(this.capacity);
    this.rand = mulberry32(opts.seed ?? 0x5eed);
  }

  add(v: unknown): void {
    const x = toNumber(v);
    if (x === null) {
      this.missing++;
      return;
    }
    const t = this.count++;
    const d = x - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (this.edges.length > 0) this.bins[binIndex(this.edges, x)]++;
    if (this.values) {
      this.values.set(x, (this.values.get(x) ?? 0) + 1);
      if (this.values.size > DISTINCT_CAP) this.values = null;
    }
    if (t < this.capacity) this.reservoir[t] = x;
    else {
      const j = Math.floor(this.rand() * (t + 1));
      if (j < this.capacity) this.reservoir[j] = x;
    }
  }

  private sampleLength(): number {
    return Math.min(this.count, this.capacity);
  }

  /** Merges `other` (built on the same bin edges) into this accumulator. */
  merge(other: NumericAccumulator): this {
    if (other.edges.length !== this.edges.length || other.edges.some((e, i) => e !== this.edges[i])) {
      throw new RangeError('cannot merge numeric accumulators built on different bins');
    }
    const n1 = this.count;
    const n2 = other.count;
    const n = n1 + n2;
    this.missing += other.missing;
    if (n2 === 0) return this;
    const d = other.mean - this.mean;
    this.mean += (d * n2) / n;
    this.m2 += other.m2 + (d * d * n1 * n2) / n;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    for (let i = 0; i < this.bins.length; i++) this.bins[i] += other.bins[i];
    if (this.values && other.values) {
      for (const [k, c] of other.values) this.values.set(k, (this.values.get(k) ?? 0) + c);
      if (this.values.size > DISTINCT_CAP) this.values = null;
    } else this.values = null;
    this.reservoir = this.mergedReservoir(other, n1, n2);
    this.count = n;
    return this;
  }

  private mergedReservoir(other: NumericAccumulator, n1: number, n2: number): Float64Array {
    const a = this.reservoir.subarray(0, this.sampleLength());
    const b = other.reservoir.subarray(0, other.sampleLength());
    const out = new Float64Array(this.capacity);
    if (n1 + n2 <= this.capacity) {
      out.set(a);
      out.set(b, a.length);
      return out;
    }
    // How many of the k slots come from each part: sequential hypergeometric draws, as if
    // sampling k rows without replacement from the n1 + n2 rows.
    let remA = n1;
    let remB = n2;
    let fromA = 0;
    for (let s = 0; s < this.capacity; s++) {
      if (this.rand() * (remA + remB) < remA) {
        fromA++;
        remA--;
      } else remB--;
    }
    const fromB = this.capacity - fromA;
    const pick = (src: Float64Array, m: number, offset: number): void => {
      const copy = Float64Array.from(src);
      for (let i = 0; i < m; i++) {
        const j = i + Math.floor(this.rand() * (copy.length - i));
        const tmp = copy[i];
        copy[i] = copy[j];
        copy[j] = tmp;
        out[offset + i] = copy[i];
      }
    };
    pick(a, Math.min(fromA, a.length), 0);
    pick(b, Math.min(fromB, b.length), Math.min(fromA, a.length));
    return out;
  }

  toProfile(): NumericProfile {
    const n = this.count;
    const sample = Array.from(this.reservoir.subarray(0, this.sampleLength())).sort((x, y) => x - y);
    const profile: NumericProfile = {
      kind: 'numeric',
      count: n,
      missing: this.missing,
      mean: n > 0 ? this.mean : 0,
      std: n > 0 ? Math.sqrt(Math.max(0, this.m2 / n)) : 0,
      min: n > 0 ? this.min : 0,
      max: n > 0 ? this.max : 0,
      distinct: this.values ? this.values.size : DISTINCT_CAP,
      quantiles: evenQuantiles(sample, QUANTILE_STEPS),
      binEdges: [...this.edges],
      binCounts: [...this.bins],
      sample,
    };
    if (this.values && n > 0 && this.values.size < VALUE_COUNTS_CAP) {
      profile.valueCounts = {};
      for (const [k, c] of [...this.values].sort((p, q) => p[0] - q[0])) profile.valueCounts[String(k)] = c;
    }
    return profile;
  }
}

export class CategoricalAccumulator {
  readonly kind = 'categorical' as const;
  count = 0;
  missing = 0;
  private readonly counts = new Map<string, number>();

  add(v: unknown): void {
    const c = toCategory(v);
    if (c === null) {
      this.missing++;
      return;
    }
    this.count++;
    this.counts.set(c, (this.counts.get(c) ?? 0) + 1);
  }

  merge(other: CategoricalAccumulator): this {
    this.count += other.count;
    this.missing += other.missing;
    for (const [k, c] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + c);
    return this;
  }

  toProfile(): CategoricalProfile {
    return { kind: 'categorical', count: this.count, missing: this.missing, counts: Object.fromEntries(this.counts) };
  }
}

export type ColumnAccumulator = NumericAccumulator | CategoricalAccumulator;

export interface DatasetAccumulatorOptions {
  sampleSize?: number;
  /** Mixed with each column name's hash to seed its reservoir. */
  seed?: number;
}

/**
 * A live window over a whole dataset: one accumulator per schema column, numeric ones binned on
 * the reference profile's PSI edges so current and reference bin counts line up.
 */
export class DatasetAccumulator {
  rows = 0;
  readonly columns: Record<string, ColumnAccumulator> = {};

  constructor(
    readonly schema: FeatureSchema,
    readonly reference: DatasetProfile,
    private readonly opts: DatasetAccumulatorOptions = {},
  ) {
    for (const [name, kind] of Object.entries(schema)) {
      if (kind === 'numeric') {
        const ref = reference.columns[name];
        const edges = ref && ref.kind === 'numeric' ? ref.binEdges : [];
        this.columns[name] = new NumericAccumulator(edges, {
          sampleSize: opts.sampleSize,
          seed: (hashString(name) ^ (opts.seed ?? 0)) >>> 0,
        });
      } else this.columns[name] = new CategoricalAccumulator();
    }
  }

  add(features: Record<string, unknown>): void {
    this.rows++;
    for (const name in this.columns) this.columns[name].add(features[name]);
  }

  /** A fresh, empty accumulator for the same schema and reference (e.g. the next time bucket). */
  empty(): DatasetAccumulator {
    return new DatasetAccumulator(this.schema, this.reference, this.opts);
  }

  merge(other: DatasetAccumulator): this {
    this.rows += other.rows;
    for (const name in this.columns) {
      const mine = this.columns[name];
      const theirs = other.columns[name];
      if (!theirs) continue;
      if (mine.kind === 'numeric' && theirs.kind === 'numeric') mine.merge(theirs);
      else if (mine.kind === 'categorical' && theirs.kind === 'categorical') mine.merge(theirs);
    }
    return this;
  }

  toProfile(): DatasetProfile {
    const columns: Record<string, ColumnProfile> = {};
    for (const name in this.columns) columns[name] = this.columns[name].toProfile();
    return { rows: this.rows, columns };
  }
}

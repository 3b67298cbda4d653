/**
 * Comparison of two models on the same requests (paired by request id upstream).
 * Everything is kept as additive counts and sums, so the engine can add rows at ingest,
 * merge partial aggregates, subtract rows leaving a window, and store the state as JSON.
 * Model A is the one the verdict speaks about: 'better' means A beats B.
 */
import { mcnemarExact, type McNemarResult } from './mcnemar.js';
import { pairedAccuracyDifference, verdict, type PairedDifference, type Verdict } from './pairedDifference.js';

export interface PairedRecord {
  predictedA: number;
  scoreA: number;
  predictedB: number;
  scoreB: number;
  /** true class when it has arrived */
  label?: number | null;
}

export interface PairAccumulatorState {
  n: number;
  agree: number;
  sumAbsScoreDifference: number;
  bothCorrect: number;
  onlyACorrect: number;
  onlyBCorrect: number;
  bothWrong: number;
}

export interface PairComparisonOptions {
  /** significance level of the verdict (default 0.05) */
  alpha?: number;
  /** McNemar mid-p instead of the conventional exact p-value */
  midP?: boolean;
  /** confidence level of the difference interval (default 0.95) */
  level?: number;
}

export interface PairComparison {
  /** paired requests */
  n: number;
  /** share of paired requests where both predicted the same class */
  agreementRate: number;
  meanAbsScoreDifference: number;
  /** paired requests with a label */
  labelled: number;
  accuracyA: number;
  accuracyB: number;
  /** b: only A right, c: only B right */
  discordant: { b: number; c: number };
  /** null until a labelled row exists */
  mcnemar: McNemarResult | null;
  difference: PairedDifference | null;
  verdict: Verdict | null;
}

function emptyState(): PairAccumulatorState {
  return { n: 0, agree: 0, sumAbsScoreDifference: 0, bothCorrect: 0, onlyACorrect: 0, onlyBCorrect: 0, bothWrong: 0 };
}

export class PairAccumulator {
  private s: PairAccumulatorState;

  constructor(state?: PairAccumulatorState) {
    this.s = state ? { ...state } : emptyState();
  }

  static fromJSON(state: PairAccumulatorState): PairAccumulator {
    return new PairAccumulator(state);
  }

  toJSON(): PairAccumulatorState {
    return { ...this.s };
  }

  add(record: PairedRecord): this {
    this.apply(record, 1);
    return this;
  }

  /** Takes a row back out, e.g. when it leaves a sliding window. */
  remove(record: PairedRecord): this {
    this.apply(record, -1);
    return this;
  }

  merge(other: PairAccumulator): this {
    const o = other.s;
    for (const key of Object.keys(this.s) as (keyof PairAccumulatorState)[]) this.s[key] += o[key];
    return this;
  }

  result(options: PairComparisonOptions = {}): PairComparison {
    const s = this.s;
    const labelled = s.bothCorrect + s.onlyACorrect + s.onlyBCorrect + s.bothWrong;
    const b = s.onlyACorrect;
    const c = s.onlyBCorrect;
    const base = {
      n: s.n,
      agreementRate: s.n > 0 ? s.agree / s.n : NaN,
      meanAbsScoreDifference: s.n > 0 ? s.sumAbsScoreDifference / s.n : NaN,
      labelled,
      accuracyA: labelled > 0 ? (s.bothCorrect + b) / labelled : NaN,
      accuracyB: labelled > 0 ? (s.bothCorrect + c) / labelled : NaN,
      discordant: { b, c },
    };
    if (labelled === 0) return { ...base, mcnemar: null, difference: null, verdict: null };
    const mcnemar = mcnemarExact(b, c, { midP: options.midP });
    const difference = pairedAccuracyDifference(s, options.level ?? 0.95);
    return {
      ...base,
      mcnemar,
      difference,
      verdict: verdict({ difference: difference.difference, pValue: mcnemar.pValue }, options.alpha ?? 0.05),
    };
  }

  private apply(r: PairedRecord, sign: 1 | -1): void {
    const s = this.s;
    s.n += sign;
    if (r.predictedA === r.predictedB) s.agree += sign;
    s.sumAbsScoreDifference += sign * Math.abs(r.scoreA - r.scoreB);
    if (r.label === undefined || r.label === null) return;
    const a = r.predictedA === r.label;
    const bRight = r.predictedB === r.label;
    if (a && bRight) s.bothCorrect += sign;
    else if (a) s.onlyACorrect += sign;
    else if (bRight) s.onlyBCorrect += sign;
    else s.bothWrong += sign;
  }
}

export function comparePair(records: Iterable<PairedRecord>, options: PairComparisonOptions = {}): PairComparison {
  const acc = new PairAccumulator();
  for (const r of records) acc.add(r);
  return acc.result(options);
}

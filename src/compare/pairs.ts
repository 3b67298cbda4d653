/**
 * Comparison of two models on the same requests (paired by request id upstream).
 * Everything is kept as additive counts and sums, so the engine can add rows at ingest,
 * merge partial aggregates, subtract rows leaving a window, and store the state as JSON.
 * Model A is the one the verdict speaks about: 'better' means A beats B. In this product A is
 * the candidate and B the active version (src/core/pair.ts); the figures come from the one
 * pipeline there, pairFigures.
 */
import type { McNemarResult } from './mcnemar.js';
import type { PairedDifference, Verdict } from './pairedDifference.js';
import { pairFigures } from '../core/pair.js';

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
  /** rows where both scores are numbers (a NaN score is a model that logged none) */
  scored: number;
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
  return { n: 0, agree: 0, sumAbsScoreDifference: 0, scored: 0, bothCorrect: 0, onlyACorrect: 0, onlyBCorrect: 0, bothWrong: 0 };
}

export class PairAccumulator {
  private s: PairAccumulatorState;

  constructor(state?: PairAccumulatorState) {
    // States saved before `scored` existed counted every row as scored.
    this.s = state ? { ...state, scored: state.scored ?? state.n } : emptyState();
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
    const f = pairFigures({
      n: s.n, agree: s.agree, sumAbsScoreDifference: s.sumAbsScoreDifference, scored: s.scored,
      bothCorrect: s.bothCorrect, onlyCandidateCorrect: s.onlyACorrect, onlyActiveCorrect: s.onlyBCorrect, bothWrong: s.bothWrong,
    }, options);
    return {
      n: f.n, agreementRate: f.agreementRate, meanAbsScoreDifference: f.meanAbsScoreDifference, labelled: f.labelled,
      accuracyA: f.accuracyCandidate, accuracyB: f.accuracyActive, discordant: f.discordant,
      mcnemar: f.mcnemar, difference: f.difference, verdict: f.verdict,
    };
  }

  private apply(r: PairedRecord, sign: 1 | -1): void {
    const s = this.s;
    s.n += sign;
    if (r.predictedA === r.predictedB) s.agree += sign;
    const d = Math.abs(r.scoreA - r.scoreB);
    if (!Number.isNaN(d)) {
      s.sumAbsScoreDifference += sign * d;
      s.scored += sign;
    }
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

/**
 * Pair orientation, stated once: every comparison of two versions on the same requests speaks
 * about the CANDIDATE (a shadow, a retrained version, the target of a promotion) against the
 * ACTIVE version (or the baseline named on the command line). Differences are candidate −
 * active; 'better' means the candidate beats the active version; the McNemar discordant counts
 * are b = rows only the candidate got right and c = rows only the active got right (the gate's
 * n and o). The statistics in src/compare (PairAccumulator, pairedAccuracyDifference, McNemar)
 * call the two sides A and B; in this product A is always the candidate.
 *
 * `pairFigures` is the one pipeline from the 2×2 counts to the figures an operator reads
 * (agreement, accuracies, Δ accuracy with its interval, McNemar p, verdict): the console's
 * engine and `mlops-tui compare` both call it, so they cannot disagree on the same counts.
 */
import { mcnemarExact, type McNemarResult } from '../compare/mcnemar.js';
import { pairedAccuracyDifference, verdict, type PairedDifference, type Verdict } from '../compare/pairedDifference.js';

/** The two versions of a comparison, as name@version references. */
export interface PairRefs {
  candidate: string;
  active: string;
}

/** Additive counts of a comparison (they add, subtract and serialise as JSON). */
export interface PairCounts {
  /** requests both versions scored */
  n: number;
  /** of which both predicted the same class */
  agree: number;
  sumAbsScoreDifference: number;
  /** requests where both versions logged a score (the mean |Δscore| is over these) */
  scored: number;
  bothCorrect: number;
  /** b: only the candidate right */
  onlyCandidateCorrect: number;
  /** c: only the active right */
  onlyActiveCorrect: number;
  bothWrong: number;
}

export interface PairFigureOptions {
  /** significance level of the verdict (default 0.05) */
  alpha?: number;
  /** McNemar mid-p instead of the conventional exact p-value */
  midP?: boolean;
  /** confidence level of the difference interval (default 0.95) */
  level?: number;
}

export interface PairFigures {
  n: number;
  agreementRate: number;
  meanAbsScoreDifference: number;
  /** paired requests with a label */
  labelled: number;
  accuracyCandidate: number;
  accuracyActive: number;
  /** b: only the candidate right, c: only the active right */
  discordant: { b: number; c: number };
  /** candidate − active with its interval; null until a labelled row exists */
  difference: PairedDifference | null;
  mcnemar: McNemarResult | null;
  /** of the candidate against the active version */
  verdict: Verdict | null;
}

export function emptyPairCounts(): PairCounts {
  return { n: 0, agree: 0, sumAbsScoreDifference: 0, scored: 0, bothCorrect: 0, onlyCandidateCorrect: 0, onlyActiveCorrect: 0, bothWrong: 0 };
}

/** The figures of a comparison from its counts. */
export function pairFigures(c: PairCounts, options: PairFigureOptions = {}): PairFigures {
  const b = c.onlyCandidateCorrect;
  const cc = c.onlyActiveCorrect;
  const labelled = c.bothCorrect + b + cc + c.bothWrong;
  const base = {
    n: c.n,
    agreementRate: c.n > 0 ? c.agree / c.n : NaN,
    meanAbsScoreDifference: c.scored > 0 ? c.sumAbsScoreDifference / c.scored : NaN,
    labelled,
    accuracyCandidate: labelled > 0 ? (c.bothCorrect + b) / labelled : NaN,
    accuracyActive: labelled > 0 ? (c.bothCorrect + cc) / labelled : NaN,
    discordant: { b, c: cc },
  };
  if (labelled === 0) return { ...base, difference: null, mcnemar: null, verdict: null };
  const mcnemar = mcnemarExact(b, cc, { midP: options.midP });
  const difference = pairedAccuracyDifference({ bothCorrect: c.bothCorrect, onlyACorrect: b, onlyBCorrect: cc, bothWrong: c.bothWrong }, options.level ?? 0.95);
  return { ...base, difference, mcnemar, verdict: verdict({ difference: difference.difference, pValue: mcnemar.pValue }, options.alpha ?? 0.05) };
}

/**
 * Paired accuracy difference of two models scored on the same labelled rows.
 *
 * Interval: Wald on the paired difference d = (b − c)/n with b = rows only A got right,
 * c = rows only B got right, and Var(d̂) = [(b + c) − (b − c)²/n] / n³ (the multinomial
 * variance of a difference of dependent proportions, Agresti §10.1). It is simple, additive
 * in the counts and fine at the sample sizes a shadow deployment sees; with few discordant
 * rows it is too narrow (zero width when b = c = 0), which is why the verdict is decided by
 * McNemar's exact test and the interval is only shown alongside it.
 */
import { normalQuantile } from './normalQuantile.js';

export interface PairedCounts {
  bothCorrect: number;
  /** b: A right, B wrong */
  onlyACorrect: number;
  /** c: A wrong, B right */
  onlyBCorrect: number;
  bothWrong: number;
}

export interface PairedDifference {
  n: number;
  /** accuracy(A) − accuracy(B) */
  difference: number;
  standardError: number;
  lower: number;
  upper: number;
  /** confidence level of [lower, upper], e.g. 0.95 */
  level: number;
}

export type Verdict = 'better' | 'worse' | 'no significant difference';

export function pairedAccuracyDifference(counts: PairedCounts, level = 0.95): PairedDifference {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const b = counts.onlyACorrect;
  const c = counts.onlyBCorrect;
  const n = counts.bothCorrect + b + c + counts.bothWrong;
  if (n === 0) return { n, difference: NaN, standardError: NaN, lower: NaN, upper: NaN, level };
  const difference = (b - c) / n;
  const standardError = Math.sqrt(Math.max(0, b + c - ((b - c) * (b - c)) / n)) / n;
  const z = normalQuantile(1 - (1 - level) / 2);
  return {
    n,
    difference,
    standardError,
    lower: Math.max(-1, difference - z * standardError),
    upper: Math.min(1, difference + z * standardError),
    level,
  };
}

/**
 * How model A compares with model B at significance level alpha: significant when the
 * (McNemar) p-value is below alpha, with the direction taken from the sign of the difference.
 */
export function verdict(input: { difference: number; pValue: number }, alpha = 0.05): Verdict {
  if (!(input.pValue < alpha) || !(input.difference !== 0)) return 'no significant difference';
  return input.difference > 0 ? 'better' : 'worse';
}

/**
 * McNemar's exact test on the discordant pairs of two classifiers scored on the same
 * labelled rows: b = rows only model A got right, c = rows only model B got right.
 * Under the null each discordant row is a fair coin, so min(b, c) ~ Binomial(b + c, ½).
 * The two-sided p-value is statsmodels' mcnemar(table, exact=True): 2·P(X ≤ min(b, c)),
 * capped at 1. The mid-p variant (Fagerland et al. 2013) subtracts half the point mass
 * of the observed value, 2·P(X < min) + P(X = min), which is less conservative.
 * Work is done in log space so tiny p-values keep their relative accuracy.
 */
import { logAddExp, logBinomialCdf, logBinomialPmf } from './binomialTail.js';

export interface McNemarOptions {
  /** use the mid-p variant instead of the conventional exact p-value */
  midP?: boolean;
}

export interface McNemarResult {
  /** min(b, c), as statsmodels reports it */
  statistic: number;
  b: number;
  c: number;
  pValue: number;
  /** natural log of pValue; stays finite where pValue underflows to 0 */
  logPValue: number;
  midP: boolean;
}

export function mcnemarExact(b: number, c: number, options: McNemarOptions = {}): McNemarResult {
  if (!(Number.isInteger(b) && Number.isInteger(c) && b >= 0 && c >= 0)) {
    throw new RangeError(`discordant counts must be non-negative integers, got ${b}, ${c}`);
  }
  const midP = options.midP ?? false;
  const n = b + c;
  const k = Math.min(b, c);
  let logP: number;
  if (n === 0) {
    logP = 0;
  } else if (midP) {
    const below = k > 0 ? Math.LN2 + logBinomialCdf(k - 1, n, 0.5) : -Infinity;
    logP = logAddExp(below, logBinomialPmf(k, n, 0.5));
  } else {
    logP = Math.LN2 + logBinomialCdf(k, n, 0.5);
  }
  logP = Math.min(logP, 0);
  return { statistic: k, b, c, pValue: Math.exp(logP), logPValue: logP, midP };
}

/**
 * Same test from a 2×2 table [[both right, only A right], [only B right, both wrong]]
 * (any square layout works as long as the off-diagonal cells are the discordant pairs).
 */
export function mcnemarTable(table: readonly (readonly number[])[], options: McNemarOptions = {}): McNemarResult {
  return mcnemarExact(table[0][1], table[1][0], options);
}

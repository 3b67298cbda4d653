/**
 * What a feature's violations cost a model: its metric on rows with the violations against
 * rows without any violation, and the share of the overall metric that difference takes away.
 * Pure. Per-row values are correctness in [0, 1]: 0/1 where the label is known, the CBPE
 * expected correctness where it is not (the caller keeps the two apart).
 *
 * Interval: the difference of two independent means with the normal (Wald) interval,
 * sqrt(s1²/n1 + s0²/n0) — for 0/1 values the unpooled two-proportion interval of
 * statsmodels' `confint_proportions_2indep(method='wald')`.
 */
import { normalQuantile } from '../compare/normalQuantile.js';

export interface MeanSummary {
  n: number;
  mean: number;
  /** sample variance (ddof 1); 0 below 2 rows */
  variance: number;
}

export function summarize(values: ArrayLike<number>): MeanSummary {
  const n = values.length;
  if (n === 0) return { n: 0, mean: NaN, variance: 0 };
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i]!;
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  return { n, mean, variance: n > 1 ? ss / (n - 1) : 0 };
}

export interface ViolationCost {
  /** rows with this feature's violations, and the metric on them */
  violating: number;
  metricWith: number | null;
  /** rows without any violation, and the metric on them */
  clean: number;
  metricWithout: number | null;
  /** metricWithout − metricWith, with its interval */
  difference: number | null;
  differenceCi: [number, number] | null;
  /** overall metric lost: share of violating rows × difference, with its interval */
  cost: number | null;
  costCi: [number, number] | null;
}

/**
 * `withViolation` holds the rows flagged on the feature, `clean` the rows flagged on nothing;
 * `total` is every row the overall metric is taken over (the share's denominator).
 */
export function violationCost(withViolation: ArrayLike<number>, clean: ArrayLike<number>, total: number, level = 0.95): ViolationCost {
  const a = summarize(withViolation);
  const b = summarize(clean);
  if (a.n === 0 || b.n === 0 || total === 0) {
    return { violating: a.n, metricWith: a.n ? a.mean : null, clean: b.n, metricWithout: b.n ? b.mean : null, difference: null, differenceCi: null, cost: null, costCi: null };
  }
  const z = normalQuantile(1 - (1 - level) / 2);
  const d = b.mean - a.mean;
  const se = Math.sqrt(a.variance / a.n + b.variance / b.n);
  const share = a.n / total;
  return {
    violating: a.n, metricWith: a.mean, clean: b.n, metricWithout: b.mean,
    difference: d, differenceCi: [d - z * se, d + z * se],
    cost: share * d, costCi: [share * (d - z * se), share * (d + z * se)],
  };
}

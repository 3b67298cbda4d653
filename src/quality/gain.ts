/**
 * What cleaning a feature would buy, and which rows to clean first. Pure.
 *
 * Gain: the violating rows are re-scored with the feature replaced by draws from the reference
 * distribution (the caller does the scoring); per row, d = mean correctness over the draws −
 * correctness as it is. The overall metric would change by Σd / N (N = every row the metric
 * is taken over). Interval: the normal interval of the mean of d (paired rows), scaled by
 * n/N; the spread of d includes the spread between draws.
 *
 * Row priority, after ActiveClean (Krishnan et al., VLDB 2016), which cleans first the records
 * that move the model's loss most: with a label, the expected drop of the row's log loss when
 * the feature is replaced (loss now − mean loss over the draws); without one, how far the
 * predicted probability moves (mean |p now − p drawn|), which bounds the loss change.
 */
import { normalQuantile } from '../compare/normalQuantile.js';
import { binaryLogLossTerm } from '../compare/metrics.js';
import { summarize } from './cost.js';

export interface CleaningGain {
  rows: number;
  /** change of the overall metric if the feature were clean */
  gain: number | null;
  ci: [number, number] | null;
  /** mean metric on the violating rows now, and with reference values */
  metricNow: number | null;
  metricCleaned: number | null;
}

export function cleaningGain(now: ArrayLike<number>, cleaned: ArrayLike<number>, total: number, level = 0.95): CleaningGain {
  const n = now.length;
  if (n !== cleaned.length) throw new Error(`cleaningGain: ${n} rows now, ${cleaned.length} cleaned`);
  if (n === 0 || total === 0) return { rows: n, gain: null, ci: null, metricNow: null, metricCleaned: null };
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = cleaned[i]! - now[i]!;
  const s = summarize(d);
  const z = normalQuantile(1 - (1 - level) / 2);
  const share = n / total;
  const se = Math.sqrt(s.variance / n);
  return {
    rows: n, gain: share * s.mean, ci: [share * (s.mean - z * se), share * (s.mean + z * se)],
    metricNow: summarize(now).mean, metricCleaned: summarize(cleaned).mean,
  };
}

/**
 * Priority of one binary row: `pNow` is P(positive) as it is, `pDrawn` the same with the feature
 * replaced by each draw; `label` is 0/1 or null when it has not arrived.
 */
export function rowPriority(pNow: number, pDrawn: ArrayLike<number>, label: 0 | 1 | null): number {
  const k = pDrawn.length;
  if (k === 0) return 0;
  let s = 0;
  if (label === null) {
    for (let i = 0; i < k; i++) s += Math.abs(pNow - pDrawn[i]!);
    return s / k;
  }
  const lossNow = binaryLogLossTerm(label, pNow);
  for (let i = 0; i < k; i++) s += binaryLogLossTerm(label, pDrawn[i]!);
  return lossNow - s / k;
}

/** Indices sorted by priority, highest first (ties by index, for determinism). */
export function rankRows(priority: ArrayLike<number>): number[] {
  return Array.from({ length: priority.length }, (_, i) => i).sort((a, b) => priority[b]! - priority[a]! || a - b);
}

// Three levels per column, as whylogs reports them. For p-value tests: drift below the
// threshold, warn from the threshold up to three times it (whylogs' bands are p < 0.05 drift,
// 0.05 ≤ p < 0.15 possible drift). For distances: drift at or above the threshold, warn from
// three quarters of it (0.075 ≤ d < 0.1 at Evidently's default 0.1).
export type DriftLevel = 'ok' | 'warn' | 'drift';

export const WARN_P_FACTOR = 3;
export const WARN_DISTANCE_FACTOR = 0.75;

export function levelFromPValue(p: number, threshold: number): DriftLevel {
  if (!(p >= 0)) return 'ok';
  if (p < threshold) return 'drift';
  return p < threshold * WARN_P_FACTOR ? 'warn' : 'ok';
}

export function levelFromDistance(d: number, threshold: number): DriftLevel {
  if (!(d >= 0)) return 'ok';
  if (d >= threshold) return 'drift';
  return d >= threshold * WARN_DISTANCE_FACTOR ? 'warn' : 'ok';
}

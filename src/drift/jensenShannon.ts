// Jensen–Shannon distance, natural log: scipy.spatial.distance.jensenshannon(p, q), which
// Evidently uses for categorical drift on large references. It is bounded by sqrt(ln 2) ≈ 0.833
// and handles zero shares without smoothing. (Evidently first replaces zero shares by 1e-4; we
// do not, so a new category counts at its real weight. The difference is below 1e-3 in practice.)
import { alignCategories, sum, type CategoryCounts } from './categories.js';

/** JS distance of two (unnormalised) non-negative weight vectors of the same length. */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  const sp = sum(p);
  const sq = sum(q);
  if (sp <= 0 || sq <= 0) return NaN;
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const m = (pi + qi) / 2;
    if (pi > 0) js += pi * Math.log(pi / m);
    if (qi > 0) js += qi * Math.log(qi / m);
  }
  return Math.sqrt(Math.max(0, js / 2));
}

/** JS distance of two category-count maps over the union of their categories. */
export function jensenShannonCategories(reference: CategoryCounts, current: CategoryCounts): number {
  const u = alignCategories(reference, current);
  return jensenShannonDistance(u.reference, u.current);
}

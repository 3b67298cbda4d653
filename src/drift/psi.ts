// Population Stability Index, Evidently's definition: shares per bin for reference and current,
// zero shares replaced by 1e-4 (Evidently's np.place(..., 0.0001)), then
// PSI = Σ (ref − cur) · ln(ref / cur). Numeric columns are binned on the reference's deciles
// (bins.ts: 10 bins, fewer when deciles tie, outer bins open-ended); categorical columns use the
// union of categories, so a new or vanished category contributes instead of being dropped.
// Common reading: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 major shift.
import { alignCategories, sum, type CategoryCounts } from './categories.js';
import { countInBins, decileEdges } from './bins.js';

export const PSI_EPSILON = 0.0001;

/** PSI of two count vectors over the same bins. */
export function psiFromCounts(reference: readonly number[], current: readonly number[]): number {
  const nr = sum(reference);
  const nc = sum(current);
  if (nr <= 0 || nc <= 0) return NaN;
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] / nr || PSI_EPSILON;
    const c = current[i] / nc || PSI_EPSILON;
    psi += (r - c) * Math.log(r / c);
  }
  return psi;
}

export function psiCategories(reference: CategoryCounts, current: CategoryCounts): number {
  const u = alignCategories(reference, current);
  return psiFromCounts(u.reference, u.current);
}

/** PSI of two raw numeric samples, binned on the reference's deciles. */
export function psiNumeric(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const edges = decileEdges(Float64Array.from(reference).sort());
  return psiFromCounts(countInBins(edges, reference), countInBins(edges, current));
}

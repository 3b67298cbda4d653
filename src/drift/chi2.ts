// Chi-squared test of homogeneity on the 2×K table (reference counts, current counts) over the
// union of categories: scipy.stats.chi2_contingency(table, correction=False). We use the
// contingency form rather than Evidently's chisquare(current, expected_from_reference) because
// it treats both windows as samples (the reference is a sample too), and because a category
// new in the current window has expected count 0 under Evidently's form (division by zero);
// here it simply adds a column. New and vanished categories are reported alongside.
import { alignCategories, sum, type CategoryCounts } from './categories.js';
import { chi2Sf } from './special.js';

export interface Chi2Result {
  statistic: number;
  pValue: number;
  dof: number;
  newCategories: string[];
  vanishedCategories: string[];
}

/** Pearson chi-squared for a 2×K table given as two rows of counts (no Yates correction). */
export function chi2Homogeneity(reference: readonly number[], current: readonly number[]): { statistic: number; pValue: number; dof: number } {
  const n1 = sum(reference);
  const n2 = sum(current);
  const n = n1 + n2;
  let statistic = 0;
  let k = 0;
  for (let i = 0; i < reference.length; i++) {
    const col = reference[i] + current[i];
    if (col === 0) continue;
    k++;
    const e1 = (n1 * col) / n;
    const e2 = (n2 * col) / n;
    statistic += (reference[i] - e1) ** 2 / e1 + (current[i] - e2) ** 2 / e2;
  }
  const dof = k - 1;
  // One category, or an empty row: nothing to compare, so no evidence of a difference.
  if (dof <= 0 || n1 === 0 || n2 === 0) return { statistic: 0, pValue: 1, dof: Math.max(0, dof) };
  return { statistic, pValue: chi2Sf(statistic, dof), dof };
}

export function chi2Test(reference: CategoryCounts, current: CategoryCounts): Chi2Result {
  const u = alignCategories(reference, current);
  return { ...chi2Homogeneity(u.reference, u.current), newCategories: u.newCategories, vanishedCategories: u.vanishedCategories };
}

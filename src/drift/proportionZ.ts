// Two-proportion Z-test with the pooled proportion, two-sided:
// statsmodels.stats.proportion.proportions_ztest([count1, count2], [nobs1, nobs2]).
// Used for binary columns and for missing-value rate drift. When the pooled proportion is 0 or
// 1 both rates are equal and the variance is 0; statsmodels returns NaN there, we return
// z = 0, p = 1 (no evidence of a difference), so a column with no missing values is "ok".
import { normalSf } from './special.js';

export interface ProportionZResult {
  z: number;
  pValue: number;
}

export function proportionZTest(count1: number, nobs1: number, count2: number, nobs2: number): ProportionZResult {
  if (nobs1 <= 0 || nobs2 <= 0) return { z: 0, pValue: 1 };
  const p1 = count1 / nobs1;
  const p2 = count2 / nobs2;
  const pooled = (count1 + count2) / (nobs1 + nobs2);
  const variance = pooled * (1 - pooled) * (1 / nobs1 + 1 / nobs2);
  if (!(variance > 0)) return { z: 0, pValue: 1 };
  const z = (p1 - p2) / Math.sqrt(variance);
  return { z, pValue: 2 * normalSf(Math.abs(z)) };
}

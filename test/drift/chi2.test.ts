import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chi2Homogeneity, chi2Test } from '../../src/drift/chi2.js';
import { assertClose, fixtures } from './fixtures.js';

interface Chi2Case { name: string; reference: Record<string, number>; current: Record<string, number>; statistic: number; pValue: number; dof: number }

test('chi2Test matches scipy.stats.chi2_contingency(correction=False)', () => {
  for (const c of fixtures.chi2 as Chi2Case[]) {
    const r = chi2Test(c.reference, c.current);
    assertClose(r.statistic, c.statistic, 1e-10, 1e-12, `${c.name} statistic`);
    assertClose(r.pValue, c.pValue, 1e-8, 1e-300, `${c.name} p-value`);
    assert.equal(r.dof, c.dof, c.name);
  }
});

test('new and vanished categories are reported', () => {
  const r = chi2Test({ a: 120, b: 80, c: 40, d: 5 }, { a: 100, b: 70, z: 9 });
  assert.deepEqual(r.newCategories, ['z']);
  assert.deepEqual(r.vanishedCategories, ['c', 'd']);
  assert.ok(r.pValue < 1e-6);
});

test('degenerate tables give no evidence instead of NaN', () => {
  assert.deepEqual(chi2Homogeneity([10], [20]), { statistic: 0, pValue: 1, dof: 0 });
  assert.equal(chi2Test({ a: 3 }, {}).pValue, 1);
});

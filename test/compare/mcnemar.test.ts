import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mcnemarExact, mcnemarTable } from '../../src/compare/mcnemar.js';
import { assertClose, fixtures } from './fixtures.js';

test('exact McNemar p-values match statsmodels and exact rational sums', () => {
  for (const r of fixtures.mcnemar) {
    const res = mcnemarExact(r.b, r.c);
    const label = `b=${r.b} c=${r.c}`;
    assert.equal(res.statistic, r.statistic, label);
    assertClose(res.logPValue, r.exactLogP, 1e-11, `${label} log p`);
    if (r.exactP > 0) {
      assertClose(res.pValue, r.exactP, 1e-10, `${label} vs exact`);
      assertClose(res.pValue, r.statsmodelsP, 1e-9, `${label} vs statsmodels`);
    }
  }
});

test('mid-p McNemar matches the hand-computed 2·P(X<k) + P(X=k)', () => {
  for (const r of fixtures.mcnemar) {
    const res = mcnemarExact(r.b, r.c, { midP: true });
    const label = `mid-p b=${r.b} c=${r.c}`;
    assertClose(res.logPValue + 1, r.midLogP + 1, 1e-11, label);
    if (r.midP > 0) assertClose(res.pValue, r.midP, 1e-10, label);
    assert.ok(res.pValue <= mcnemarExact(r.b, r.c).pValue);
  }
});

test('p-values near 1e-30 keep their relative accuracy; tiny ones stay finite in log space', () => {
  // b = 0, c = 100: p = 2 · 2^-100 exactly
  assertClose(mcnemarExact(0, 100).pValue, 2 * 2 ** -100, 1e-14);
  const huge = mcnemarExact(4000, 0);
  assert.equal(huge.pValue, 0);
  assertClose(huge.logPValue, Math.log(2) - 4000 * Math.log(2), 1e-13);
});

test('table form uses the off-diagonal cells; invalid counts throw', () => {
  assert.equal(mcnemarTable([[50, 3], [10, 7]]).pValue, mcnemarExact(3, 10).pValue);
  assert.throws(() => mcnemarExact(-1, 2));
  assert.throws(() => mcnemarExact(1.5, 2));
});

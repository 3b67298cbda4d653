import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proportionZTest } from '../../src/drift/proportionZ.js';
import { assertClose, fixtures } from './fixtures.js';

test('proportionZTest matches statsmodels proportions_ztest', () => {
  for (const c of fixtures.proportionZ as { name: string; count1: number; nobs1: number; count2: number; nobs2: number; z: number; pValue: number }[]) {
    const r = proportionZTest(c.count1, c.nobs1, c.count2, c.nobs2);
    assertClose(r.z, c.z, 1e-10, 1e-12, `${c.name} z`);
    assertClose(r.pValue, c.pValue, 1e-8, 1e-300, `${c.name} p-value`);
  }
});

test('equal degenerate rates give p = 1 instead of NaN', () => {
  assert.deepEqual(proportionZTest(0, 100, 0, 50), { z: 0, pValue: 1 });
  assert.deepEqual(proportionZTest(100, 100, 50, 50), { z: 0, pValue: 1 });
});

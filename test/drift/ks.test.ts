import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ks2samp, ks2sampSorted, ksPValue, ksStatisticSorted } from '../../src/drift/ks.js';
import { kolmogorovSf } from '../../src/drift/kolmogorov.js';
import { assertClose, fixtures } from './fixtures.js';

interface KsCase { name: string; a: number[]; b: number[]; statistic: number; pValue: number }

test('ks2samp matches scipy.stats.ks_2samp (statistic 1e-9, p-value 1e-6 relative)', () => {
  const cases = fixtures.ks as KsCase[];
  assert.ok(cases.length >= 10);
  for (const c of cases) {
    const r = ks2samp(c.a, c.b);
    assertClose(r.statistic, c.statistic, 0, 1e-9, `${c.name} statistic`);
    assertClose(r.pValue, c.pValue, 1e-6, 1e-300, `${c.name} p-value`);
    const expectAsymp = Math.max(c.a.length, c.b.length) > 10_000;
    assert.equal(r.method, expectAsymp ? 'asymp' : 'exact', c.name);
  }
});

test('the sorted variant and the swapped order give the same answer', () => {
  for (const c of (fixtures.ks as KsCase[]).slice(0, 6)) {
    const a = [...c.a].sort((x, y) => x - y);
    const b = [...c.b].sort((x, y) => x - y);
    const r = ks2sampSorted(a, b);
    assert.equal(r.statistic, ks2samp(c.a, c.b).statistic);
    assertClose(ks2sampSorted(b, a).pValue, r.pValue, 1e-12, 0, c.name);
  }
});

test('ksPValue switches to the asymptotic distribution above 10,000 values', () => {
  const d = ksStatisticSorted([1, 2, 3], [2, 3, 4]);
  assertClose(d, 1 / 3, 1e-15);
  assert.equal(ksPValue(0.05, 10_000, 2_000).method, 'exact');
  const asymp = ksPValue(0.05, 10_001, 2_000);
  assert.equal(asymp.method, 'asymp');
  assertClose(asymp.pValue, kolmogorovSf(Math.round((10_001 * 2_000) / 12_001), 0.05), 1e-15);
});

test('empty samples are rejected', () => {
  assert.throws(() => ks2samp([], [1]), RangeError);
});

test('kolmogorovSf matches scipy.stats.kstwo.sf on every branch', () => {
  for (const c of fixtures.kstwo as { n: number; x: number; sf: number }[]) {
    assertClose(kolmogorovSf(c.n, c.x), c.sf, 1e-9, 1e-300, `kstwo.sf(${c.x}, ${c.n})`);
  }
});

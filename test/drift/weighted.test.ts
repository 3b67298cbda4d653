import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromValueCounts, ksStatisticWeighted, wassersteinWeighted } from '../../src/drift/weighted.js';
import { ks2samp } from '../../src/drift/ks.js';
import { wasserstein } from '../../src/drift/wasserstein.js';
import { assertClose, fixtures } from './fixtures.js';

function counts(xs: number[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const x of xs) m[String(x)] = (m[String(x)] ?? 0) + 1;
  return m;
}

test('KS and Wasserstein from value counts equal the scipy values on the expanded samples', () => {
  const ks = (fixtures.ks as { name: string; a: number[]; b: number[]; statistic: number }[]).find((c) => c.name.startsWith('ties'))!;
  assertClose(ksStatisticWeighted(fromValueCounts(counts(ks.a)), fromValueCounts(counts(ks.b))), ks.statistic, 0, 1e-12, 'KS');
  const w = (fixtures.wasserstein as { name: string; reference: number[]; current: number[]; distance: number }[]).find((c) => c.name === 'integers with ties')!;
  assertClose(wassersteinWeighted(fromValueCounts(counts(w.reference)), fromValueCounts(counts(w.current))), w.distance, 1e-12, 1e-12, 'W');
});

test('weighted and sample forms agree on a disjoint pair', () => {
  const a = [1, 1, 2, 5];
  const b = [3, 4, 4, 4, 9];
  const wa = fromValueCounts(counts(a));
  const wb = fromValueCounts(counts(b));
  assert.deepEqual(wa, { values: [1, 2, 5], counts: [2, 1, 1] });
  assertClose(ksStatisticWeighted(wa, wb), ks2samp(a, b).statistic, 0, 1e-12);
  assertClose(wassersteinWeighted(wa, wb), wasserstein(a, b), 1e-12, 1e-12);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareColumn, compareDatasets, defaultMethod } from '../../src/drift/columnDrift.js';
import { buildProfile, type CategoricalProfile, type DatasetProfile } from '../../src/drift/profile.js';
import { DatasetAccumulator } from '../../src/drift/accumulators.js';
import { psiNumeric } from '../../src/drift/psi.js';
import { assertClose, fixtures } from './fixtures.js';

const numeric = (xs: unknown[], reference?: DatasetProfile): DatasetProfile => buildProfile(xs.map((x) => ({ x })), { x: 'numeric' }, reference);
const categorical = (counts: Record<string, number>, missing = 0): CategoricalProfile => ({
  kind: 'categorical',
  count: Object.values(counts).reduce((a, b) => a + b, 0),
  missing,
  counts,
});

test('small numeric reference: KS with scipy p-value, drift below 0.05, PSI reported', () => {
  const c = (fixtures.ks as { name: string; a: number[]; b: number[]; statistic: number; pValue: number }[]).find((k) => k.name.startsWith('1000 vs 800'))!;
  const ref = numeric(c.a);
  const cur = numeric(c.b, ref);
  const r = compareColumn('x', ref.columns.x, cur.columns.x);
  assert.equal(r.method, 'ks');
  assertClose(r.statistic, c.statistic, 0, 1e-9, 'KS statistic');
  assertClose(r.pValue!, c.pValue, 1e-6, 0, 'KS p-value');
  assert.equal(r.level, 'drift'); // p = 0.032
  assert.equal(r.threshold, 0.05);
  assertClose(r.psi, psiNumeric(c.a, c.b), 1e-12, 1e-15, 'PSI');
  assert.equal(r.nReference, 1000);
  assert.equal(r.nCurrent, 800);
});

test('large numeric reference: normalised Wasserstein as Evidently, drift at >= 0.1', () => {
  const c = (fixtures.wasserstein as { name: string; reference: number[]; current: number[]; normalised: number }[]).find((w) => w.name === 'lognormal vs scaled')!;
  const ref = numeric(c.reference);
  const r = compareColumn('x', ref.columns.x, numeric(c.current, ref).columns.x);
  assert.equal(r.method, 'wasserstein');
  assert.equal(r.pValue, null);
  assertClose(r.statistic, c.normalised, 1e-10, 0, 'normalised W');
  assert.equal(r.level, c.normalised >= 0.1 ? 'drift' : c.normalised >= 0.075 ? 'warn' : 'ok');
});

test('categorical: chi-squared (small), Jensen-Shannon (large), Z-test (binary)', () => {
  const chi = (fixtures.chi2 as { name: string; reference: Record<string, number>; current: Record<string, number>; statistic: number; pValue: number }[]).find((c) => c.name === 'new category in current')!;
  const r1 = compareColumn('c', categorical(chi.reference), categorical(chi.current));
  assert.equal(r1.method, 'chisquare');
  assertClose(r1.statistic, chi.statistic, 1e-10, 0, 'chi2');
  assertClose(r1.pValue!, chi.pValue, 1e-8, 0, 'chi2 p');
  assert.deepEqual(r1.newCategories, ['z']);
  assert.deepEqual(r1.vanishedCategories, []);

  // JS is scale-invariant: twenty times the fixture's counts puts the reference above 1,000 rows
  const js = (fixtures.jensenShannon as { name: string; reference: Record<string, number>; current: Record<string, number>; distance: number }[]).find((c) => c.name === 'new and vanished')!;
  const times20 = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v * 20]));
  const r2 = compareColumn('c', categorical(times20(js.reference)), categorical(times20(js.current)));
  assert.equal(r2.method, 'jensenshannon');
  assertClose(r2.statistic, js.distance, 1e-10, 0, 'JS');
  assert.equal(r2.level, 'drift');
  assert.deepEqual(r2.newCategories, ['z']);
  assert.deepEqual(r2.vanishedCategories, ['c']);

  const z = (fixtures.proportionZ as { name: string; count1: number; nobs1: number; count2: number; nobs2: number; z: number; pValue: number }[]).find((c) => c.name === 'small difference')!;
  const ref = categorical({ a: z.count1, b: z.nobs1 - z.count1 });
  const cur = categorical({ a: z.count2, b: z.nobs2 - z.count2 });
  const r3 = compareColumn('flag', ref, cur);
  assert.equal(r3.method, 'z');
  assertClose(r3.statistic, z.z, 1e-10, 0, 'z');
  assertClose(r3.pValue!, z.pValue, 1e-8, 0, 'z p');
  assert.equal(r3.level, 'ok');
});

test('low-cardinality numerics are compared as categories', () => {
  const ref = numeric(Array.from({ length: 600 }, (_, i) => i % 4));
  const cur = numeric(Array.from({ length: 400 }, (_, i) => (i % 5 === 0 ? 0 : i % 4)), ref);
  assert.equal(defaultMethod(ref.columns.x, cur.columns.x), 'chisquare');
  const r = compareColumn('x', ref.columns.x, cur.columns.x);
  assert.ok(r.pValue! < 0.05 && r.level === 'drift');
  const big = numeric(Array.from({ length: 6000 }, (_, i) => i % 4));
  assert.equal(defaultMethod(big.columns.x, numeric([0, 1, 2], big).columns.x), 'jensenshannon');
});

test('warn band, overrides, missing-rate drift and empty windows', () => {
  // JS distance in [0.075, 0.1) is a warning
  const ref = categorical({ a: 5000, b: 5000 });
  const cur = categorical({ a: 6200, b: 3800 });
  const r = compareColumn('c', ref, cur);
  assert.ok(r.statistic >= 0.075 && r.statistic < 0.1, String(r.statistic));
  assert.equal(r.level, 'warn');
  assert.equal(compareColumn('c', ref, cur, { threshold: 0.05 }).level, 'drift');
  const viaChi = compareColumn('c', ref, cur, { method: 'chisquare' });
  assert.equal(viaChi.method, 'chisquare');
  assert.equal(viaChi.threshold, 0.05);
  assert.equal(viaChi.level, 'drift');
  const viaPsi = compareColumn('c', ref, cur, { method: 'psi', threshold: 0.2 });
  assert.equal(viaPsi.statistic, viaPsi.psi);

  const m = compareColumn('c', categorical({ a: 500, b: 500 }, 0), categorical({ a: 400, b: 400 }, 200));
  assert.equal(m.missingRate.reference, 0);
  assert.equal(m.missingRate.current, 0.2);
  assert.equal(m.missingRate.level, 'drift');
  assert.equal(compareColumn('c', ref, cur).missingRate.level, 'ok');

  // An all-missing current column has no statistic; it drifts by its missing rate (issue 12).
  const empty = compareColumn('c', ref, categorical({}, 10));
  assert.ok(Number.isNaN(empty.statistic));
  assert.equal(empty.missingRate.current, 1);
  assert.equal(empty.level, 'drift');
  // A window with no rows at all says nothing.
  assert.equal(compareColumn('c', ref, categorical({}, 0)).level, 'ok');
});

test('compareDatasets compares every column, with per-feature overrides', () => {
  const schema = { x: 'numeric', c: 'categorical' } as const;
  const refRows = Array.from({ length: 2000 }, (_, i) => ({ x: (i * 7919) % 1000, c: i % 3 === 0 ? 'a' : 'b' }));
  const ref = buildProfile(refRows, schema);
  const live = new DatasetAccumulator(schema, ref);
  for (let i = 0; i < 3000; i++) live.add({ x: ((i * 7919) % 1000) + 300, c: i % 3 === 0 ? 'a' : 'new' });
  const cur = live.toProfile();
  const results = compareDatasets(ref, cur, { features: { c: { method: 'chisquare' } } });
  assert.deepEqual(results.map((r) => [r.feature, r.method, r.level]), [
    ['x', 'wasserstein', 'drift'],
    ['c', 'chisquare', 'drift'],
  ]);
  assert.deepEqual(results[1].newCategories, ['new']);
  assert.deepEqual(results[1].vanishedCategories, ['b']);
  assert.ok(results[0].psi > 0.25);
});

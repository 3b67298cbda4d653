import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CategoricalAccumulator, DatasetAccumulator, NumericAccumulator } from '../../src/drift/accumulators.js';
import { buildProfile, SAMPLE_CAP } from '../../src/drift/profile.js';
import { ks2samp, ksStatisticSorted } from '../../src/drift/ks.js';
import { wasserstein, wassersteinSorted, populationStd } from '../../src/drift/wasserstein.js';
import { mulberry32 } from '../../src/util/random.js';

function normals(n: number, mean: number, sd: number, seed: number): number[] {
  const u = mulberry32(seed);
  const out: number[] = [];
  while (out.length < n) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const t = 2 * Math.PI * u();
    out.push(mean + sd * r * Math.cos(t), mean + sd * r * Math.sin(t));
  }
  return out.slice(0, n);
}

test('a window that fits in the reservoir profiles exactly like buildProfile', () => {
  const ref = buildProfile(normals(3000, 0, 1, 1).map((x) => ({ x })), { x: 'numeric' });
  const values: unknown[] = [...normals(2500, 0.3, 1.2, 2), null, '', NaN, 'oops'];
  const acc = new NumericAccumulator(ref.columns.x.kind === 'numeric' ? ref.columns.x.binEdges : []);
  for (const v of values) acc.add(v);
  const exact = buildProfile(values.map((x) => ({ x })), { x: 'numeric' }, ref).columns.x;
  const live = acc.toProfile();
  assert.equal(exact.kind, 'numeric');
  if (exact.kind !== 'numeric') return;
  assert.equal(live.count, exact.count);
  assert.equal(live.missing, 4);
  assert.ok(Math.abs(live.mean - exact.mean) < 1e-12);
  assert.ok(Math.abs(live.std - exact.std) < 1e-12);
  assert.equal(live.min, exact.min);
  assert.equal(live.max, exact.max);
  assert.deepEqual(live.binEdges, exact.binEdges);
  assert.deepEqual(live.binCounts, exact.binCounts);
  assert.deepEqual(live.sample, exact.sample);
  assert.deepEqual(live.quantiles, exact.quantiles);
  assert.equal(live.distinct, exact.distinct);
});

test('merging accumulators equals accumulating everything in one', () => {
  const edges = [-2, -1, 0, 1, 2];
  const xs = normals(9000, 0, 1, 3);
  const whole = new NumericAccumulator(edges);
  const parts = [new NumericAccumulator(edges, { seed: 1 }), new NumericAccumulator(edges, { seed: 2 }), new NumericAccumulator(edges, { seed: 3 })];
  xs.forEach((x, i) => {
    whole.add(x);
    parts[i % 3].add(x);
  });
  const merged = parts[0].merge(parts[1]).merge(parts[2]).toProfile();
  const w = whole.toProfile();
  assert.equal(merged.count, 9000);
  assert.ok(Math.abs(merged.mean - w.mean) < 1e-12);
  assert.ok(Math.abs(merged.std - w.std) < 1e-12);
  assert.deepEqual(merged.binCounts, w.binCounts);
  assert.equal(merged.sample.length, SAMPLE_CAP);
  const sorted = [...xs].sort((a, b) => a - b);
  assert.ok(ksStatisticSorted(merged.sample, sorted) < 0.025, 'merged reservoir still represents the window');
  assert.throws(() => whole.merge(new NumericAccumulator([0, 1])), RangeError);

  const c1 = new CategoricalAccumulator();
  const c2 = new CategoricalAccumulator();
  ['a', 'b', null, 'a'].forEach((v) => c1.add(v));
  ['b', 'z', ''].forEach((v) => c2.add(v));
  assert.deepEqual(c1.merge(c2).toProfile(), { kind: 'categorical', count: 5, missing: 2, counts: { a: 2, b: 2, z: 1 } });
});

test('KS and Wasserstein from 10^5-row windows stay close to the exact values', () => {
  const refValues = normals(120_000, 0, 1, 11);
  const curValues = normals(150_000, 0.08, 1.1, 12).map((x, i) => (i % 10 === 0 ? x * 2 : x));
  const ref = buildProfile(refValues.map((x) => ({ x })), { x: 'numeric' });
  const live = new DatasetAccumulator({ x: 'numeric' }, ref);
  // three time buckets merged, as a sliding window is kept
  const buckets = [live, live.empty(), live.empty()];
  curValues.forEach((x, i) => buckets[Math.floor((i * 3) / curValues.length)].add({ x }));
  const cur = buckets[0].merge(buckets[1]).merge(buckets[2]).toProfile();
  const r = ref.columns.x;
  const c = cur.columns.x;
  assert.ok(r.kind === 'numeric' && c.kind === 'numeric');
  if (r.kind !== 'numeric' || c.kind !== 'numeric') return;
  assert.equal(cur.rows, 150_000);
  const exactD = ks2samp(refValues, curValues).statistic;
  const approxD = ksStatisticSorted(r.sample, c.sample);
  assert.ok(Math.abs(approxD - exactD) < 0.02, `KS ${approxD} vs exact ${exactD}`);
  const sd = populationStd(refValues);
  const exactW = wasserstein(refValues, curValues) / sd;
  const approxW = wassersteinSorted(r.sample, c.sample) / r.std;
  assert.ok(Math.abs(approxW - exactW) < 0.02, `W ${approxW} vs exact ${exactW}`);
  if (process.env.DRIFT_VERBOSE) console.log({ exactD, approxD, exactW, approxW });
});

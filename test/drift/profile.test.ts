import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProfile, systematicSample } from '../../src/drift/profile.js';

test('buildProfile counts missing values and summarises numerics like numpy', () => {
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i <= 100; i++) rows.push({ x: i % 7 === 0 ? (i % 2 ? '' : null) : String(i), c: i % 3 === 0 ? 'a' : 'b' });
  rows.push({ x: NaN, c: undefined });
  rows.push({ x: 'not a number', c: '' });
  const p = buildProfile(rows, { x: 'numeric', c: 'categorical' });
  assert.equal(p.rows, 103);
  const x = p.columns.x;
  assert.equal(x.kind, 'numeric');
  if (x.kind !== 'numeric') return;
  const values = Array.from({ length: 101 }, (_, i) => i).filter((i) => i % 7 !== 0);
  assert.equal(x.count, values.length);
  assert.equal(x.missing, 103 - values.length);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  assert.ok(Math.abs(x.mean - mean) < 1e-12);
  assert.ok(Math.abs(x.std - std) < 1e-12);
  assert.equal(x.min, 1);
  assert.equal(x.max, 100);
  assert.equal(x.distinct, values.length);
  assert.equal(x.quantiles.length, 101);
  assert.equal(x.quantiles[0], 1);
  assert.equal(x.quantiles[100], 100);
  assert.deepEqual(x.sample, values);
  assert.equal(x.binCounts.reduce((a, b) => a + b, 0), values.length);
  const c = p.columns.c;
  assert.equal(c.kind, 'categorical');
  if (c.kind !== 'categorical') return;
  assert.deepEqual(c.counts, { a: 34, b: 67 });
  assert.equal(c.missing, 2);
  assert.equal(c.count, 101);
});

test('systematicSample keeps the empirical CDF within 1/k of the column', () => {
  const sorted = Float64Array.from({ length: 100_003 }, (_, i) => i * i);
  const s = systematicSample(sorted, 1000);
  assert.equal(s.length, 1000);
  for (let i = 1; i < s.length; i++) assert.ok(s[i] >= s[i - 1]);
  // the i-th sampled value sits at rank ~ (i + 0.5)/k of the column
  for (let i = 0; i < s.length; i += 97) assert.ok(Math.abs(Math.sqrt(s[i]) / 100_003 - (i + 0.5) / 1000) < 1e-3);
});

test('numeric profile quantiles, decile edges and moments match numpy', async () => {
  const { fixtures, assertClose } = await import('./fixtures.js');
  const f = fixtures.profile as { values: number[]; quantiles: number[]; decileEdges: number[]; mean: number; std: number };
  const p = buildProfile(f.values.map((x) => ({ x })), { x: 'numeric' }).columns.x;
  assert.equal(p.kind, 'numeric');
  if (p.kind !== 'numeric') return;
  f.quantiles.forEach((q, i) => assertClose(p.quantiles[i], q, 1e-12, 1e-12, `quantile ${i}`));
  assert.equal(p.binEdges.length, f.decileEdges.length);
  f.decileEdges.forEach((e, i) => assertClose(p.binEdges[i], e, 1e-12, 1e-12, `edge ${i}`));
  assertClose(p.mean, f.mean, 1e-12, 0, 'mean');
  assertClose(p.std, f.std, 1e-12, 0, 'std');
  assert.equal(p.binCounts.length, f.decileEdges.length - 1);
  // fewer than 1,000 distinct values: exact value counts are kept
  assert.equal(Object.values(p.valueCounts ?? {}).reduce((a, b) => a + b, 0), f.values.length);
});

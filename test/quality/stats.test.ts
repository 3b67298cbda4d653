// The pure statistics of data quality against reference values (test/fixtures/make_quality_fixtures.py,
// numpy + scipy) and against cases computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { violationCost } from '../../src/quality/cost.js';
import { cleaningGain, rankRows, rowPriority } from '../../src/quality/gain.js';
import { rankByImportance, rankDriftRows } from '../../src/quality/rank.js';
import { permutationImportance } from '../../src/quality/importance.js';
import { binaryLogLossTerm } from '../../src/compare/metrics.js';
import { applyViolations } from '../../src/quality/cleanRows.js';
import { referenceSampler } from '../../src/quality/referenceDraws.js';
import { mulberry32 } from '../../src/util/random.js';

const F = JSON.parse(readFileSync(new URL('../fixtures/quality_fixtures.json', import.meta.url), 'utf8'));
// 1e-8: normalQuantile (Acklam with one refinement step) agrees with scipy to about 1e-9
const close = (a: number, b: number, tol = 1e-8) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('violationCost: difference, Wald interval and cost share as numpy/scipy compute them', () => {
  const c = F.cost;
  const r = violationCost(c.withViolation, c.clean, c.total);
  close(r.difference!, c.difference);
  close(r.differenceCi![0], c.differenceCi[0]);
  close(r.differenceCi![1], c.differenceCi[1]);
  close(r.cost!, c.cost);
  close(r.costCi![0], c.costCi[0]);
  close(r.costCi![1], c.costCi[1]);
  assert.equal(r.violating, 300);
  assert.equal(r.clean, 2000);
});

test('violationCost: no violating or no clean rows gives no figure, never NaN', () => {
  const r = violationCost([], [1, 0, 1], 3);
  assert.equal(r.difference, null);
  assert.equal(r.cost, null);
  assert.equal(r.metricWith, null);
  assert.equal(r.metricWithout, 2 / 3);
});

test('cleaningGain: paired mean difference and its interval as numpy/scipy compute them', () => {
  const g = F.gain;
  const r = cleaningGain(g.now, g.cleaned, g.total);
  close(r.gain!, g.gain);
  close(r.ci![0], g.ci[0]);
  close(r.ci![1], g.ci[1]);
  close(r.metricNow!, g.metricNow);
  close(r.metricCleaned!, g.metricCleaned);
  assert.throws(() => cleaningGain([1], [1, 0], 2), /1 rows now, 2 cleaned/);
});

test('rowPriority: expected drop of the log loss with a label, mean score movement without', () => {
  const drawn = [0.2, 0.4];
  close(rowPriority(0.9, drawn, 0), binaryLogLossTerm(0, 0.9) - (binaryLogLossTerm(0, 0.2) + binaryLogLossTerm(0, 0.4)) / 2);
  close(rowPriority(0.9, drawn, null), (0.7 + 0.5) / 2);
  // cleaning a row the model already gets right with more confidence than any draw makes the loss worse
  assert.ok(rowPriority(0.05, drawn, 0) < 0);
  assert.deepEqual(rankRows([0.1, 0.5, 0.5, -1]), [1, 2, 0, 3]);
});

test('rankByImportance: a large effect on an ignored feature ranks below a smaller one on a used feature', () => {
  const items = [{ f: 'distance', e: 0.9 }, { f: 'hour', e: 0.3 }, { f: 'dow', e: 0.1 }];
  const ranked = rankByImportance(items, (i) => i.f, (i) => i.e, { distance: 0.0001, hour: 0.02, dow: -0.001 });
  assert.deepEqual(ranked.map((r) => r.item.f), ['hour', 'distance', 'dow']);
  close(ranked[0]!.weighted, 0.006);
  assert.equal(ranked[2]!.weighted, 0, 'negative importance counts as 0');
  // without importance (a model trained before it was stored), the effect alone ranks
  assert.deepEqual(rankByImportance(items, (i) => i.f, (i) => i.e, null).map((r) => r.item.f), ['distance', 'hour', 'dow']);
});

test('permutationImportance: an unused feature scores exactly 0, a used one the loss it adds', () => {
  const rows = Array.from({ length: 200 }, (_, i) => ({ a: i % 2, b: i % 7 }));
  // loss of a "model" that predicts y = a perfectly and ignores b
  const loss = (rs: readonly Record<string, unknown>[]) => rs.reduce((s, r, i) => s + (Number(r.a) === i % 2 ? 0 : 1), 0) / rs.length;
  const imp = permutationImportance(rows, ['a', 'b'], loss, { repeats: 4, seed: 1 });
  assert.equal(imp.values.b, 0);
  assert.ok(imp.values.a! > 0.3 && imp.values.a! < 0.7, `shuffling a breaks about half the rows: ${imp.values.a}`);
  assert.equal(imp.rows, 200);
  assert.deepEqual(permutationImportance(rows, ['a'], loss, { repeats: 4, seed: 1 }).values, { a: imp.values.a }, 'seeded: the same figures again');
});

test('applyViolations: keep trains on flagged rows as logged, exclude leaves them out, repair redraws only the flagged values', () => {
  const rows = [{ hour: 5, origin: 'PHX' }, { hour: 1435, origin: 'PHX' }, { hour: 7, origin: 'P#X' }];
  const ids = ['a', 'b', 'c'];
  const flags = new Map([['b', new Set(['hour'])], ['c', new Set(['origin'])]]);
  const samplers = new Map<string, () => unknown>([['hour', () => 12], ['origin', () => 'LAS']]);
  const rng = mulberry32(1);
  assert.deepEqual(applyViolations(rows, ids, flags, 'keep', samplers, rng), { rows, flagged: 2, changed: 0 });
  assert.deepEqual(applyViolations(rows, ids, flags, 'exclude', samplers, rng), { rows: [rows[0]], flagged: 2, changed: 2 });
  const repaired = applyViolations(rows, ids, flags, 'repair', samplers, rng);
  assert.deepEqual(repaired.rows, [{ hour: 5, origin: 'PHX' }, { hour: 12, origin: 'PHX' }, { hour: 7, origin: 'LAS' }]);
  assert.equal(repaired.changed, 2);
  assert.deepEqual(rows[1], { hour: 1435, origin: 'PHX' }, 'the input rows are not modified');
});

test('referenceSampler: draws follow the reference counts', () => {
  const draw = referenceSampler({ kind: 'categorical', count: 100, missing: 0, counts: { a: 75, b: 25 } })!;
  const rng = mulberry32(3);
  let a = 0;
  for (let i = 0; i < 20_000; i++) if (draw(rng) === 'a') a++;
  assert.ok(Math.abs(a / 20_000 - 0.75) < 0.01, `share of a ${a / 20_000}`);
  assert.equal(referenceSampler(undefined), null);
  assert.equal(referenceSampler({ kind: 'categorical', count: 0, missing: 3, counts: {} }), null);
});

test('rankDriftRows: features by importance × PSI, then the rows that are not features, in their order', () => {
  const rows = [{ name: 'distance', psi: 0.97 }, { name: 'label', psi: 0.5 }, { name: 'hour', psi: 0.13 }, { name: 'score:m@1', psi: 2 }];
  const out = rankDriftRows(rows, ['hour', 'distance'], { hour: 0.054, distance: 0.0002 });
  assert.deepEqual(out.map((r) => r.name), ['hour', 'distance', 'label', 'score:m@1']);
  close(out[0]!.weighted!, 0.054 * 0.13);
  assert.equal(out[2]!.weighted, null);
});

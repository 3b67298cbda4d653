import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateGate, halfWidth, parseCondition, perTestDelta, rowsNeeded, type GateBudget } from '../../src/compare/gate.js';
import { assertClose, fixtures } from './fixtures.js';

test('rows needed match ease.ml/ci SampleCalculator.calculate_n', () => {
  for (const g of fixtures.gate) {
    assert.equal(rowsNeeded(g.condition, g.reliability, g.evaluations, g.adaptivity), g.rows, g.condition);
  }
});

test('Hoeffding sample sizes against hand computation', () => {
  // n - o > 0.01 +/- 0.01, reliability 0.999, one evaluation:
  // rv = 2, c = 1, δ = 0.001 / 2 = 5e-4, N = 4 · ln(2000) / (2 · 1e-4) = 20000 · 7.6009 = 152018.05 → 152019
  assert.equal(rowsNeeded('n - o > 0.01 +/- 0.01'), 152019);
  // n > 0.8 +/- 0.02: rv = 1, δ = 0.001, N = ln(1000) / (2 · 4e-4) = 6.9078 / 8e-4 = 8634.7 → 8635
  assert.equal(rowsNeeded('n > 0.8 +/- 0.02', 0.999, 1), 8635);
  // the ease.ml/ci notebook: n - o > 0.1 +/- 0.1, 0.99, full adaptivity over 32 steps → 5496
  assert.equal(rowsNeeded('n - o > 0.1 +/- 0.1', 0.99, 32, 'full'), 5496);
  // ten evaluations on the same rows: δ / 10, N = 20000 · ln(20000) = 198069.5 → 198070
  assert.equal(rowsNeeded('n - o > 0.01 +/- 0.01', 0.999, 10), 198070);
  assertClose(perTestDelta('n - o > 0 +/- 0.1', 0.999, 10), 0.001 / 20, 1e-15);
});

test('parsing', () => {
  const c = parseCondition('n - o > 0.01 +/- 0.01');
  assert.deepEqual(c.terms, [
    { variable: 'n', coefficient: 1 },
    { variable: 'o', coefficient: -1 },
  ]);
  assert.equal(c.comparison, '>');
  assert.equal(c.threshold, 0.01);
  assert.equal(c.tolerance, 0.01);
  assert.deepEqual(parseCondition('n - 1.1 * o > 0 ± 0.05').terms[1], { variable: 'o', coefficient: -1.1 });
  assert.equal(parseCondition('d < 0.1 +/- 0.01').comparison, '<');
  assert.throws(() => parseCondition('n - x > 0.01 +/- 0.01'));
  assert.throws(() => parseCondition('n - o > 0.01'));
  assert.throws(() => parseCondition('n - o 0.01 +/- 0.01'));
  assert.throws(() => parseCondition('n > 0.5 +/- 0'));
});

const cond = 'n - o > 0.01 +/- 0.02';
// rv = 2, δ = 0.001 / (2 · 5), N = 4 · ln(10000) / (2 · 4e-4) = 5000 · 9.2103 = 46051.7 → 46052
const budget: GateBudget = { heldOutRows: 50000, evaluationsAllowed: 5, evaluationsUsed: 1 };

test('a gate that passes: estimate minus the half-width clears the threshold', () => {
  const r = evaluateGate(cond, { n: 0.76, o: 0.72, rows: 50000 }, budget);
  assert.equal(r.needRows, 46052);
  assert.equal(r.refused, undefined);
  assert.equal(r.pass, true);
  assertClose(r.estimate, 0.04, 1e-12);
  // half-width on 50000 rows: 2 · sqrt(ln(10000) / 100000) = 0.019194
  assertClose(r.interval[0], 0.04 - 2 * Math.sqrt(Math.log(10000) / 100000), 1e-12);
  assert.equal(r.remainingEvaluations, 3);
  assert.match(r.message, /^pass/);
});

test('a gate that fails: a better point estimate is not enough', () => {
  const r = evaluateGate(cond, { n: 0.745, o: 0.72, rows: 50000 }, budget);
  assert.equal(r.pass, false);
  assert.equal(r.refused, undefined);
  assert.equal(r.remainingEvaluations, 3);
  assert.match(r.message, /^fail/);
  // the optimistic mode would have let it through
  assert.equal(evaluateGate(cond, { n: 0.745, o: 0.72, rows: 50000 }, budget, { mode: 'fn-free' }).pass, true);
});

test('refused when the budget is spent, whatever the numbers', () => {
  const r = evaluateGate(cond, { n: 0.9, o: 0.5, rows: 50000 }, { ...budget, evaluationsUsed: 5 });
  assert.equal(r.pass, false);
  assert.equal(r.refused, 'budget-spent');
  assert.equal(r.remainingEvaluations, 0);
  assert.match(r.message, /fresh labelled rows/);
});

test('refused with too few rows, and no evaluation is spent', () => {
  const r = evaluateGate(cond, { n: 0.9, o: 0.5, rows: 46051 }, budget);
  assert.equal(r.refused, 'not-enough-rows');
  assert.equal(r.pass, false);
  assert.equal(r.remainingEvaluations, 4);
  assert.match(r.message, /needs 46052/);
  assert.equal(evaluateGate(cond, { n: 0.9, o: 0.5, rows: 50000 }, { ...budget, heldOutRows: 1000 }).refused, 'not-enough-rows');
});

test('absolute condition and the half-width equals ε at exactly the needed rows', () => {
  const c = parseCondition('n > 0.8 +/- 0.02');
  const need = rowsNeeded(c, 0.999, 1);
  assertClose(halfWidth(c, need, perTestDelta(c, 0.999, 1)), 0.02, 1e-4);
  const b: GateBudget = { heldOutRows: need, evaluationsAllowed: 1, evaluationsUsed: 0 };
  assert.equal(evaluateGate(c, { n: 0.83, o: 0, rows: need }, b).pass, true);
  assert.equal(evaluateGate(c, { n: 0.81, o: 0, rows: need }, b).pass, false);
  assert.throws(() => evaluateGate('d < 0.1 +/- 0.05', { n: 0.8, o: 0.7, rows: 5000 }, b));
});

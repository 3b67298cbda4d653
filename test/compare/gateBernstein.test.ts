/**
 * The variance-aware promotion gate: the empirical Bernstein bound (Maurer & Pontil 2009) on
 * the per-row difference d_i = 1[new right] − 1[old right], built from counts.
 * Exact reference values: test/fixtures/make_gate_bernstein_fixtures.py (rational counts,
 * 50-digit logarithms, rounded up to a double).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  bernsteinHalfWidth,
  evaluateGate,
  evaluationDelta,
  gateRowsNeeded,
  parseCondition,
  rowsNeeded,
  type GateBudget,
  type GateObservation,
} from '../../src/compare/gate.js';
import { normalQuantile } from '../../src/compare/normalQuantile.js';
import { mulberry32 } from '../../src/util/random.js';
import { assertClose } from './fixtures.js';

interface ExactCase {
  condition: string;
  rows: number;
  nRight: number;
  oRight: number;
  b: number;
  c: number;
  reliability: number;
  evaluations: number;
  adaptivity: 'none' | 'full';
  mean: number;
  variance: number;
  range: number;
  halfWidthUp: number;
  needRows: number;
}
const exact = (JSON.parse(readFileSync(new URL('../fixtures/gate_bernstein_fixtures.json', import.meta.url), 'utf8')) as { bernstein: ExactCase[] }).bernstein;

const one = (rows: number): GateBudget => ({ heldOutRows: rows, evaluationsAllowed: 1, evaluationsUsed: 0 });
const BERNSTEIN = { bound: 'bernstein' as const };

/** An observation from the 2×2 table of correctness: b only new right, c only old right. */
function observe(rows: number, bothRight: number, b: number, c: number): GateObservation {
  return { n: (bothRight + b) / rows, o: (bothRight + c) / rows, rows, discordant: { b, c } };
}

test('Bernstein interval against a hand computation', () => {
  // 1000 rows, 770 both right, b = 30 only new right, c = 10 only old right:
  // mean d = 20/1000 = 0.02; Σd² = 40, sample variance V = (40 − 1000·0.02²)/999 = 39.6/999 = 0.0396396…
  // reliability 0.95, one evaluation: δ = 0.05 (one variable, n − o), L = ln(2/0.05) = ln 40 = 3.6888795
  // h = sqrt(2·0.0396396·3.6888795/1000) + 7·2·3.6888795/(3·999) = 0.0171012 + 0.0172320 = 0.0343332
  const r = evaluateGate('n - o > 0 +/- 0.05', observe(1000, 770, 30, 10), one(1000), { reliability: 0.95, ...BERNSTEIN });
  const L = Math.log(40);
  const V = 39.6 / 999;
  const h = Math.sqrt((2 * V * L) / 1000) + (14 * L) / 2997;
  assertClose(h, 0.0343332, 1e-6);
  assert.equal(r.bound, 'bernstein');
  assertClose(r.variance!, V, 1e-14);
  assertClose(r.halfWidth, h, 1e-11);
  assertClose(r.estimate, 0.02, 1e-12);
  assertClose(r.interval[0], 0.02 - h, 1e-9);
  assertClose(r.interval[1], 0.02 + h, 1e-9);
  assert.equal(r.pass, false, '0.02 − 0.0343 is not above 0');
  assert.match(r.message, /empirical Bernstein, reliability 0\.95/);

  // δ is split over evaluations like the Hoeffding path: 4 evaluations → 0.05/4; fully adaptive → 0.05/2⁴
  assertClose(evaluationDelta(0.95, 4), 0.0125, 1e-14);
  assertClose(evaluationDelta(0.95, 4, 'full'), 0.05 / 16, 1e-14);
  const r4 = evaluateGate('n - o > 0 +/- 0.05', observe(1000, 770, 30, 10), { heldOutRows: 1000, evaluationsAllowed: 4, evaluationsUsed: 0 }, { reliability: 0.95, adaptivity: 'full', ...BERNSTEIN });
  const L4 = Math.log(2 / (0.05 / 16));
  assertClose(r4.halfWidth, Math.sqrt((2 * V * L4) / 1000) + (14 * L4) / 2997, 1e-11);

  // rows needed is where the half-width first reaches ε
  const need = r.needRows;
  assert.ok(bernsteinHalfWidth(V, 2, need, 0.05) <= 0.05 && bernsteinHalfWidth(V, 2, need - 1, 0.05) > 0.05, `needRows ${need}`);
  assert.equal(gateRowsNeeded('n - o > 0 +/- 0.05', observe(1000, 770, 30, 10), 0.95, 1, BERNSTEIN), need);
});

test('never narrower than the exact formula (rational counts, 50-digit logarithms), and tight to 1e-12', () => {
  for (const e of exact) {
    const c = parseCondition(e.condition);
    const obs: GateObservation = { n: e.nRight / e.rows, o: e.oRight / e.rows, rows: e.rows, discordant: { b: e.b, c: e.c } };
    const r = evaluateGate(c, obs, { heldOutRows: e.rows, evaluationsAllowed: e.evaluations, evaluationsUsed: 0 }, { reliability: e.reliability, adaptivity: e.adaptivity, ...BERNSTEIN });
    const what = `${e.condition} rows ${e.rows} b ${e.b} c ${e.c} @${e.reliability}/${e.evaluations}${e.adaptivity}`;
    assert.equal(r.bound, 'bernstein', what);
    assert.ok(r.halfWidth >= e.halfWidthUp, `${what}: ${r.halfWidth} narrower than exact ${e.halfWidthUp}`);
    assert.ok(r.halfWidth <= e.halfWidthUp * (1 + 2e-12), `${what}: ${r.halfWidth} vs exact ${e.halfWidthUp}`);
    assertClose(r.variance!, e.variance, 1e-12, what);
    assert.ok(r.needRows === e.needRows || r.needRows === e.needRows + 1, `${what}: needRows ${r.needRows} vs exact ${e.needRows}`);
    assertClose(r.estimate, e.mean, 1e-9, what);
  }
  assert.ok(exact.length >= 40);
});

test('never narrower than the normal-approximation interval at the same δ (the bound is rigorous, the CLT is not)', () => {
  for (const e of exact) {
    if (e.rows < 2) continue;
    const delta = evaluationDelta(e.reliability, e.evaluations, e.adaptivity);
    const wald = normalQuantile(1 - delta) * Math.sqrt(e.variance / e.rows);
    const h = bernsteinHalfWidth(e.variance, e.range, e.rows, delta);
    assert.ok(h > wald, `rows ${e.rows}: Bernstein ${h} vs normal ${wald}`);
  }
});

/** One held-out set: each row only-new-right with pb, only-old-right with pc, else concordant. */
function stream(rows: number, pb: number, pc: number, pBoth: number, seed: number): GateObservation {
  const u = mulberry32(seed);
  let b = 0;
  let c = 0;
  let both = 0;
  for (let i = 0; i < rows; i++) {
    const x = u();
    if (x < pb) b++;
    else if (x < pb + pc) c++;
    else if (x < pb + pc + pBoth) both++;
  }
  return observe(rows, both, b, c);
}

test('coverage on synthetic streams with a known difference: at least the reliability over 200 seeds', () => {
  const SEEDS = 200;
  const reliability = 0.95;
  // (rows, P(only new right), P(only old right)): the flights-like case, a tie, heavy disagreement, a small set
  const scenarios: [number, number, number][] = [[18564, 0.0306, 0.0135], [5000, 0.1, 0.1], [2000, 0.4, 0.3], [200, 0.05, 0.02]];
  for (const [rows, pb, pc] of scenarios) {
    const truth = pb - pc;
    let below = 0;
    let above = 0;
    let wald = 0;
    let width = 0;
    for (let s = 1; s <= SEEDS; s++) {
      const obs = stream(rows, pb, pc, 0.78, 1000 * rows + s);
      const r = evaluateGate(`n - o > ${truth} +/- 10`, obs, one(rows), { reliability, ...BERNSTEIN });
      if (truth < r.interval[0]) below++; // the miss that would let a candidate pass wrongly
      if (truth > r.interval[1]) above++;
      width += r.halfWidth;
      // the harness can see misses: a deliberately too narrow (z = 1) interval misses about a third
      if (Math.abs(r.estimate - truth) > Math.sqrt(r.variance! / rows)) wald++;
    }
    console.log(`rows ${rows}, true n − o ${truth.toFixed(4)}: misses below ${below}, above ${above} of ${SEEDS}; mean half-width ${(width / SEEDS).toFixed(4)}; z = 1 interval misses ${wald}`);
    // each side holds with probability ≥ 1 − δ = 0.95: expected at most 10 misses of 200 per side
    assert.ok(below <= 10, `lower bound missed ${below} times`);
    assert.ok(above <= 10, `upper bound missed ${above} times`);
    assert.ok(wald > 40, `the control interval missed only ${wald} times: the harness would not see a narrow bound`);
  }
});

/** log of the multinomial probability of (b, c, rest) among `rows` rows. */
function logFactorials(n: number): Float64Array {
  const f = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) f[i] = f[i - 1] + Math.log(i);
  return f;
}

test('exact miss probability (all outcomes enumerated) of the lower bound stays below δ', () => {
  // Enumerates every (b, c) of a small held-out set: the probability that the interval's lower
  // end lies above the true difference, i.e. that fp-free would pass a candidate no better
  // than `truth`, is at most δ = 1 − reliability.
  for (const [rows, pb, pc, reliability] of [[60, 0.1, 0.05, 0.9], [300, 0.05, 0.05, 0.95], [300, 0.3, 0.1, 0.8], [1500, 0.03, 0.01, 0.95]] as const) {
    const lf = logFactorials(rows);
    const truth = pb - pc;
    const delta = 1 - reliability;
    let miss = 0;
    for (let b = 0; b <= rows; b++) {
      for (let c = 0; b + c <= rows; c++) {
        const lp = lf[rows] - lf[b] - lf[c] - lf[rows - b - c] + b * Math.log(pb) + c * Math.log(pc) + (rows - b - c) * Math.log(1 - pb - pc);
        if (lp < -60) continue;
        const mean = (b - c) / rows;
        const v = (b + c - rows * mean * mean) / (rows - 1);
        if (mean - bernsteinHalfWidth(Math.max(0, v), 2, rows, delta) > truth) miss += Math.exp(lp);
      }
    }
    console.log(`rows ${rows}, pb ${pb}, pc ${pc}: P(lower end above the truth) = ${miss.toExponential(2)} (δ = ${delta.toFixed(2)})`);
    assert.ok(miss <= delta, `miss probability ${miss} > δ ${delta}`);
  }
});

// The flights demo (shared/DESIGN.md "The demo story"): a retrain on March 1–7 after the
// time-zone incident vs the January model, on the gate's 30 % held-out share of March 8–31.
const FLIGHTS_ROWS = 18_564;
// accuracies 0.8255 vs 0.8090, discordant on 743 rows (4.0 %): b − c = 307 = 15325 − 15018
const flights = observe(FLIGHTS_ROWS, 15325 - 525, 525, 218);

test('flights-like held-out set: Bernstein passes n - o > 0 +/- 0.01 at 0.99 where Hoeffding refuses', () => {
  assertClose(flights.n, 0.8255, 1e-4);
  assertClose(flights.o, 0.809, 1e-4);
  const cond = 'n - o > 0 +/- 0.01';
  const h = evaluateGate(cond, flights, one(FLIGHTS_ROWS), { reliability: 0.99 });
  assert.equal(h.bound, 'hoeffding');
  assert.equal(h.refused, 'not-enough-rows');
  assert.equal(h.needRows, 105_967); // 4·ln(200)/(2·1e-4)
  assert.match(h.message, /\(Hoeffding\)/);
  const b = evaluateGate(cond, flights, one(FLIGHTS_ROWS), { reliability: 0.99, ...BERNSTEIN });
  console.log(`flights-like: ${b.message}; needs ${b.needRows} rows; Hoeffding: ${h.message}`);
  assert.equal(b.refused, undefined);
  assert.equal(b.pass, true, b.message);
  assert.ok(b.needRows < 10_000, `needRows ${b.needRows}`);
  assert.ok(b.interval[0] > 0.01 && b.halfWidth < 0.0065, `interval ${b.interval}`);
  assert.match(b.message, /^pass: n - o = 0\.0165 ± 0\.006\d > 0 \(empirical Bernstein, reliability 0\.99, fp-free\)/);
  // and with the default budget of 8 evaluations on the same rows
  const b8 = evaluateGate(cond, flights, { heldOutRows: FLIGHTS_ROWS, evaluationsAllowed: 8, evaluationsUsed: 0 }, { reliability: 0.99, ...BERNSTEIN });
  assert.equal(b8.pass, true, b8.message);
  assert.equal(b8.remainingEvaluations, 7);
});

test('February vs January (n − o = −0.0003) still fails under Bernstein, on all of March and on a held-out share', () => {
  const cond = 'n - o > 0 +/- 0.01';
  // all 80,054 March rows: accuracy 0.8158 vs 0.8161, b = 602, c = 626
  const march = observe(80_054, 65_309 - 602, 602, 626);
  assertClose(march.n - march.o, -0.0003, 0.01);
  const r = evaluateGate(cond, march, one(80_054), { reliability: 0.99, ...BERNSTEIN });
  assert.equal(r.refused, undefined);
  assert.equal(r.pass, false, r.message);
  assert.ok(r.interval[0] < 0 && r.interval[1] > 0, `the interval ${r.interval} covers 0`);
  // a held-out-sized set with the same shares
  const held = observe(FLIGHTS_ROWS, 15_140 - 140, 140, 146);
  const rh = evaluateGate(cond, held, one(FLIGHTS_ROWS), { reliability: 0.99, ...BERNSTEIN });
  assert.equal(rh.pass, false, rh.message);
  assert.match(rh.message, /^fail/);
  // even the optimistic mode cannot call it better than 0.01
  assert.equal(evaluateGate('n - o > 0.01 +/- 0.01', held, one(FLIGHTS_ROWS), { reliability: 0.99, mode: 'fn-free', ...BERNSTEIN }).pass, false);
});

test('rowsNeeded with the Bernstein bound: an assumed variance, the worst case, and the Hoeffding default unchanged', () => {
  const cond = 'n - o > 0 +/- 0.01';
  assert.equal(rowsNeeded(cond, 0.99, 1), 105_967);
  assert.equal(rowsNeeded(cond, 0.99, 1, 'none', 'hoeffding'), 105_967);
  // variance at most the disagreement share 0.044 (the flights held-out set): about 9k rows
  const planned = rowsNeeded(cond, 0.99, 1, 'none', 'bernstein', 0.044);
  assert.ok(bernsteinHalfWidth(0.044, 2, planned, 0.01) <= 0.01 && bernsteinHalfWidth(0.044, 2, planned - 1, 0.01) > 0.01);
  assert.ok(planned > 8_000 && planned < 10_000, `${planned}`);
  // with no variance assumed, the worst case R²/4 = 1 costs a little more than Hoeffding
  const worst = rowsNeeded(cond, 0.99, 1, 'none', 'bernstein');
  assert.ok(worst > 105_967 && worst < 1.1 * 105_967, `${worst}`);
  // a single accuracy is a Bernoulli share, range 1
  const single = rowsNeeded('n > 0.8 +/- 0.02', 0.999, 1, 'none', 'bernstein', 0.16);
  assert.ok(bernsteinHalfWidth(0.16, 1, single, 0.001) <= 0.02 && bernsteinHalfWidth(0.16, 1, single - 1, 0.001) > 0.02);
  assert.ok(rowsNeeded('n > 0.8 +/- 0.02', 0.999, 1, 'none', 'bernstein', 0.16) < rowsNeeded('n > 0.8 +/- 0.02', 0.999, 1));
});

test('conditions the Bernstein path cannot build from counts fall back to Hoeffding and say so; bad counts throw', () => {
  const obs = { ...flights, d: 0.04 };
  const mixed = evaluateGate('n - o - d > 0 +/- 0.05', obs, one(FLIGHTS_ROWS), { reliability: 0.99, ...BERNSTEIN });
  assert.equal(mixed.bound, 'hoeffding');
  assert.equal(mixed.variance, null);
  assert.match(mixed.message, /Hoeffding: the Bernstein bound covers conditions on n and o, or on d alone/);
  assert.equal(rowsNeeded('n - o - d > 0 +/- 0.05', 0.99, 1, 'none', 'bernstein'), rowsNeeded('n - o - d > 0 +/- 0.05', 0.99, 1));
  // d alone: a Bernoulli share of disagreeing rows
  const dOnly = evaluateGate('d < 0.1 +/- 0.02', { n: 0, o: 0, d: 743 / FLIGHTS_ROWS, rows: FLIGHTS_ROWS }, one(FLIGHTS_ROWS), { reliability: 0.99, ...BERNSTEIN });
  assert.equal(dOnly.bound, 'bernstein');
  assert.equal(dOnly.pass, true);
  // n − o needs the discordant counts, and they must fit the accuracies
  assert.throws(() => evaluateGate('n - o > 0 +/- 0.01', { n: 0.8, o: 0.7, rows: 1000 }, one(1000), BERNSTEIN), /discordant counts/);
  assert.throws(() => evaluateGate('n - o > 0 +/- 0.01', { n: 0.8, o: 0.7, rows: 1000, discordant: { b: 50, c: 0 } }, one(1000), BERNSTEIN), /do not fit/);
  assert.throws(() => evaluateGate('n - o > 0 +/- 0.01', { n: 0.8255, o: 0.809, rows: 18_564, discordant: { b: 525, c: 218 } }, one(18_564), BERNSTEIN), /as a count/);
  assert.throws(() => evaluateGate('n - o > 0 +/- 0.01', flights, one(FLIGHTS_ROWS), { bound: 'bennett' as 'bernstein' }), /unknown gate bound/);
  // the Hoeffding path needs no counts and is unchanged
  const h = evaluateGate('n - o > 0.01 +/- 0.02', { n: 0.76, o: 0.72, rows: 50000 }, { heldOutRows: 50000, evaluationsAllowed: 5, evaluationsUsed: 1 });
  assert.equal(h.bound, 'hoeffding');
  assertClose(h.halfWidth, 2 * Math.sqrt(Math.log(10000) / 100000), 1e-12);
});

test('budget refusals are the same under either bound', () => {
  const spent = evaluateGate('n - o > 0 +/- 0.01', flights, { heldOutRows: FLIGHTS_ROWS, evaluationsAllowed: 2, evaluationsUsed: 2 }, { reliability: 0.99, ...BERNSTEIN });
  assert.equal(spent.refused, 'budget-spent');
  assert.equal(spent.pass, false);
  const few = observe(2000, 1700, 60, 20);
  const r = evaluateGate('n - o > 0 +/- 0.01', few, one(2000), { reliability: 0.99, ...BERNSTEIN });
  assert.equal(r.refused, 'not-enough-rows');
  assert.match(r.message, /\(empirical Bernstein\) at reliability 0\.99 over 1 evaluations needs \d+ labelled held-out rows, have 2000/);
  assert.equal(r.remainingEvaluations, 1);
});

/**
 * Promotion gate after ease.ml/ci (Renggli et al., MLSys 2019), following its sample
 * calculator (easeml/ci, easeml_cicd/core/utils.py, SampleCalculator.calculate_n).
 *
 * A condition such as `n - o > 0.01 +/- 0.01` reads: the new model's accuracy n minus the
 * old model's accuracy o exceeds 0.01, with every estimate allowed an error of ε = 0.01.
 * Variables: n (new accuracy), o (old accuracy), d (share of rows where the two disagree),
 * each a mean of a [0, 1] variable over the held-out labelled rows.
 *
 * Rows needed (Hoeffding): N = c²·rv²·ln(1/δ) / (2ε²), maximised over the variables, where
 *  - rv is the number of variables in the condition (2 for `n - o`, 1 for `n > 0.8`):
 *    the tolerance is split evenly, each variable estimated within ε/rv, so the linear
 *    combination, whose per-row value spans a range of rv, is within ε;
 *  - c is the absolute coefficient of the variable (1 in `n - o`, 1.1 in `n - 1.1 * o`);
 *  - δ = (1 − reliability) / (rv · H) with H the evaluations allowed on the same held-out
 *    rows (non-adaptive reuse: the failure probability is split by a union bound over the
 *    variables and the evaluations). With adaptivity 'full' (the developer sees each
 *    pass/fail and reacts), H is replaced by 2^H as ease.ml/ci does.
 * The bound is one-sided per variable (ln(1/δ), not ln(2/δ)), as in ease.ml/ci.
 * N is rounded up to the next integer.
 *
 * Evaluation on `rows` rows: half-width h = max over variables of c·rv·sqrt(ln(1/δ)/(2·rows))
 * (h = ε when rows = N). Mode 'fp-free' (default, the safe one for promotion) passes `> t`
 * only when estimate − h > t; 'fn-free' passes when estimate + h > t.
 *
 * Bound 'bernstein' (option `bound`, cfg.gate.bound): the empirical Bernstein bound of
 * Maurer & Pontil (2009, Theorem 4). Hoeffding only knows the range of a row's value, so for
 * `n - o` it pays for a per-row difference d_i = 1[new right] − 1[old right] that could be ±1
 * on every row. Two models compared for promotion disagree on a few per cent of rows, d_i is 0
 * elsewhere, and its variance is about the share of discordant rows; ease.ml/ci exploits the
 * same fact (its "new and old model disagree on few examples" optimisation bounds the variance
 * by a disagreement share first measured without labels, then applies Bennett's inequality).
 * The empirical Bernstein bound needs no such prior test: it uses the observed variance and
 * stays valid, paying for the variance estimate with ln(2/δ) and a 1/n term:
 *   with probability ≥ 1 − δ,  E − mean ≤ sqrt(2·V·ln(2/δ)/rows) + 7·R·ln(2/δ)/(3·(rows − 1)),
 * V the unbiased sample variance of the per-row value, R its a-priori range (2 for n − o, 1
 * for n > 0.8); the same holds for mean − E (apply it to −x), each side at 1 − δ like the
 * Hoeffding path's one-sided bounds. The per-row value of the condition's left-hand side is
 * one variable, so δ is split over the evaluations only: δ = (1 − reliability)/H (2^H with
 * full adaptivity). Mean and variance are exact functions of counts: rows, the accuracies as
 * counts, and the discordant counts b (only the new model right) and c (only the old one
 * right); the four cells of that 2×2 table give every per-row value of c_n·n + c_o·o. A
 * condition on d alone is a Bernoulli share as well; one mixing d with n or o would need
 * the joint table with d, which the observation does not carry, so it falls back to
 * Hoeffding and the result says so. The rows a Bernstein gate needs depend on the variance:
 * at evaluation the observed one (the smallest row count at which the half-width would be ≤ ε;
 * refusing on it is a precision floor, the pass/fail guarantee holds at any row count), for
 * planning an assumed one (for n − o at most the share of rows where the models disagree).
 */

import type { GateFigures, GateRefusal } from '../core/gate.js';

export type GateVariable = 'n' | 'o' | 'd';

export interface GateTerm {
  variable: GateVariable;
  /** signed coefficient */
  coefficient: number;
}

export interface GateCondition {
  text: string;
  terms: GateTerm[];
  comparison: '>' | '<';
  threshold: number;
  /** ε, the error tolerance after +/- */
  tolerance: number;
}

export type GateAdaptivity = 'none' | 'full';
export type GateMode = 'fp-free' | 'fn-free';
/** concentration bound behind the interval; see the header */
export type GateBound = 'hoeffding' | 'bernstein';
export const GATE_BOUNDS: readonly GateBound[] = ['hoeffding', 'bernstein'];

export interface GateOptions {
  /** 1 − δ, default 0.999 */
  reliability?: number;
  adaptivity?: GateAdaptivity;
  mode?: GateMode;
  /** default 'hoeffding' (ease.ml/ci's sample sizes) */
  bound?: GateBound;
}

export interface GateBudget {
  /** labelled rows set aside for gate evaluations */
  heldOutRows: number;
  /** H: evaluations the held-out rows may serve before fresh labels are needed */
  evaluationsAllowed: number;
  evaluationsUsed: number;
}

export interface GateObservation {
  /** accuracy of the new (candidate) model on the held-out rows */
  n: number;
  /** accuracy of the old (active) model on the same rows */
  o: number;
  /** rows the accuracies were computed on */
  rows: number;
  /** share of rows where the two models' predictions differ, if the condition uses d */
  d?: number;
  /**
   * Discordant counts on the same rows, needed by the Bernstein bound when the condition uses
   * both n and o: b = rows only the new model got right, c = rows only the old one got right
   * (the McNemar b and c of src/compare/pairs.ts).
   */
  discordant?: { b: number; c: number };
}

/**
 * What evaluateGate returns: the evaluation part of the one gate result type (src/core/gate.ts,
 * GateFigures), whose fields say what each one means; `refused` is absent when it evaluated.
 */
export type GateResult = Pick<GateFigures, 'pass' | 'needRows' | 'estimate' | 'interval' | 'bound' | 'halfWidth' | 'variance' | 'remainingEvaluations' | 'message'> & {
  refused?: GateRefusal;
};

const VARIABLES: readonly string[] = ['n', 'o', 'd'];

/** Parses `n - o > 0.01 +/- 0.01`, `n > 0.8 +/- 0.02`, `n - 1.1 * o > 0 ± 0.05`. */
export function parseCondition(text: string): GateCondition {
  const src = text.replace(/±/g, '+/-').replace(/[−–]/g, '-').replace(/\s+/g, '');
  const tol = src.split('+/-');
  if (tol.length !== 2) throw new SyntaxError(`condition needs exactly one "+/-" tolerance: ${text}`);
  const tolerance = parseNumber(tol[1], text);
  if (!(tolerance > 0)) throw new RangeError(`tolerance must be positive: ${text}`);
  const cmp = tol[0].match(/^(.*?)([<>])(.*)$/);
  if (!cmp || /[<>]/.test(cmp[3])) throw new SyntaxError(`condition needs one ">" or "<": ${text}`);
  const threshold = parseNumber(cmp[3], text);
  const terms = parseTerms(cmp[1], text);
  return { text: text.trim(), terms, comparison: cmp[2] as '>' | '<', threshold, tolerance };
}

function parseNumber(s: string, text: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) throw new SyntaxError(`not a number "${s}" in: ${text}`);
  return Number(s);
}

function parseTerms(lhs: string, text: string): GateTerm[] {
  if (lhs === '') throw new SyntaxError(`missing left-hand side: ${text}`);
  const parts = lhs.match(/[+-]?[^+-]+/g) ?? [];
  if (parts.join('') !== lhs) throw new SyntaxError(`cannot read "${lhs}" in: ${text}`);
  const byVariable = new Map<GateVariable, number>();
  for (const part of parts) {
    const m = part.match(/^([+-]?)(?:(\d+\.?\d*|\.\d+)\*?)?([a-z])$/);
    if (!m || !VARIABLES.includes(m[3])) throw new SyntaxError(`unknown term "${part}" in: ${text} (variables: n, o, d)`);
    const coefficient = (m[1] === '-' ? -1 : 1) * (m[2] ? Number(m[2]) : 1);
    const v = m[3] as GateVariable;
    byVariable.set(v, (byVariable.get(v) ?? 0) + coefficient);
  }
  return [...byVariable].map(([variable, coefficient]) => ({ variable, coefficient }));
}

function asCondition(condition: GateCondition | string): GateCondition {
  return typeof condition === 'string' ? parseCondition(condition) : condition;
}

/** δ per variable and evaluation, as ease.ml/ci splits it. */
export function perTestDelta(
  condition: GateCondition | string,
  reliability = 0.999,
  evaluations = 1,
  adaptivity: GateAdaptivity = 'none',
): number {
  const c = asCondition(condition);
  if (!(reliability > 0 && reliability < 1)) throw new RangeError(`reliability must be in (0, 1), got ${reliability}`);
  if (!(Number.isInteger(evaluations) && evaluations >= 1)) throw new RangeError('evaluations must be a positive integer');
  const h = adaptivity === 'full' ? 2 ** evaluations : evaluations;
  return (1 - reliability) / (c.terms.length * h);
}

/** Hoeffding sample size c²·rv²·ln(1/δ)/(2ε²), unrounded. */
export function hoeffdingRows(rv: number, coefficient: number, delta: number, epsilon: number): number {
  return (coefficient * coefficient * rv * rv * Math.log(1 / delta)) / (2 * epsilon * epsilon);
}

/**
 * Labelled rows a condition needs at the given reliability over `evaluations` uses. With the
 * Bernstein bound, `variance` is the assumed per-row variance of the left-hand side (for
 * `n - o`, the share of rows where the models disagree bounds it); without one the worst case
 * for the range, R²/4, is assumed, which needs a little more than Hoeffding.
 */
export function rowsNeeded(
  condition: GateCondition | string,
  reliability = 0.999,
  evaluations = 1,
  adaptivity: GateAdaptivity = 'none',
  bound: GateBound = 'hoeffding',
  variance?: number,
): number {
  const c = asCondition(condition);
  if (bound === 'bernstein') {
    const range = bernsteinRange(c);
    if (range !== null) {
      const v = variance ?? (range * range) / 4;
      if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`variance must be a non-negative number, got ${variance}`);
      return bernsteinRowsNeeded(v, range, evaluationDelta(reliability, evaluations, adaptivity), c.tolerance);
    }
  }
  const delta = perTestDelta(c, reliability, evaluations, adaptivity);
  const rv = c.terms.length;
  let max = 0;
  for (const t of c.terms) max = Math.max(max, hoeffdingRows(rv, Math.abs(t.coefficient), delta, c.tolerance));
  // guard against 152018.99999999997-style float noise before rounding up
  return Math.ceil(max * (1 - 1e-12));
}

/** Hoeffding half-width of the condition's left-hand side on `rows` rows. */
export function halfWidth(condition: GateCondition, rows: number, delta: number): number {
  const rv = condition.terms.length;
  let max = 0;
  for (const t of condition.terms) max = Math.max(max, Math.abs(t.coefficient) * rv * Math.sqrt(Math.log(1 / delta) / (2 * rows)));
  return max;
}

/**
 * δ for the Bernstein bound: one variable (the per-row value of the left-hand side), so the
 * failure probability is split over the evaluations only, as perTestDelta does for each one.
 */
export function evaluationDelta(reliability = 0.999, evaluations = 1, adaptivity: GateAdaptivity = 'none'): number {
  if (!(reliability > 0 && reliability < 1)) throw new RangeError(`reliability must be in (0, 1), got ${reliability}`);
  if (!(Number.isInteger(evaluations) && evaluations >= 1)) throw new RangeError('evaluations must be a positive integer');
  return (1 - reliability) / (adaptivity === 'full' ? 2 ** evaluations : evaluations);
}

// Relative margin added to a Bernstein half-width so that float rounding (a few ulps in the
// logarithm, the square root and the sums) can only widen the interval, never narrow it.
const ROUND_UP = 1 + 1e-12;

/**
 * Empirical Bernstein half-width (Maurer & Pontil 2009, Theorem 4, scaled to a range R):
 * sqrt(2·V·ln(2/δ)/rows) + 7·R·ln(2/δ)/(3·(rows − 1)), each side holding with probability
 * ≥ 1 − δ. Infinite below two rows, where no variance can be estimated.
 */
export function bernsteinHalfWidth(variance: number, range: number, rows: number, delta: number): number {
  if (!(rows >= 2)) return Infinity;
  const l = Math.log(2 / delta);
  return (Math.sqrt((2 * variance * l) / rows) + (7 * range * l) / (3 * (rows - 1))) * ROUND_UP;
}

/** Smallest row count at which the Bernstein half-width with this variance is ≤ ε. */
export function bernsteinRowsNeeded(variance: number, range: number, delta: number, epsilon: number): number {
  const l = Math.log(2 / delta);
  // each term ≤ ε/2 is enough, so this is an upper end for the search
  let hi = Math.max(2, Math.ceil((8 * variance * l) / (epsilon * epsilon)), Math.ceil((14 * range * l) / (3 * epsilon)) + 1) + 2;
  let lo = 1; // h(1) = ∞ > ε
  while (bernsteinHalfWidth(variance, range, hi, delta) > epsilon) hi *= 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (bernsteinHalfWidth(variance, range, mid, delta) <= epsilon) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * A-priori range of the condition's per-row value, or null when the Bernstein path cannot
 * build that value from counts (d together with n or o).
 */
function bernsteinRange(c: GateCondition): number | null {
  const vars = c.terms.map((t) => t.variable);
  if (vars.includes('d') && vars.length > 1) return null;
  const values = perRowValues(c).map((cell) => cell.value);
  return Math.max(...values) - Math.min(...values);
}

interface Cell {
  value: number;
  count: number;
}

/** The possible per-row values of the left-hand side (counts filled in by rowTable). */
function perRowValues(c: GateCondition): Cell[] {
  const coef = (v: GateVariable): number => c.terms.find((t) => t.variable === v)?.coefficient ?? 0;
  if (c.terms.some((t) => t.variable === 'd')) return [{ value: coef('d'), count: 0 }, { value: 0, count: 0 }];
  const cn = coef('n');
  const co = coef('o');
  // both right, only new right (b), only old right (c), both wrong
  return [{ value: cn + co, count: 0 }, { value: cn, count: 0 }, { value: co, count: 0 }, { value: 0, count: 0 }];
}

function wholeCount(share: number, rows: number, name: string): number {
  const x = share * rows;
  const k = Math.round(x);
  if (!(Math.abs(x - k) <= 1e-6 && k >= 0 && k <= rows)) throw new RangeError(`the Bernstein bound needs ${name} as a count over ${rows} rows; ${name} = ${share} is not`);
  return k;
}

/** Counts of each per-row value, from the observation; throws when they are inconsistent. */
function rowTable(c: GateCondition, observed: GateObservation): Cell[] {
  const rows = observed.rows;
  const cells = perRowValues(c);
  const uses = (v: GateVariable): boolean => c.terms.some((t) => t.variable === v);
  if (uses('d')) {
    const k = wholeCount(observed.d ?? NaN, rows, 'd');
    cells[0].count = k;
    cells[1].count = rows - k;
    return cells;
  }
  if (uses('n') && uses('o')) {
    const disc = observed.discordant;
    if (!disc) throw new RangeError(`the Bernstein bound on ${c.text} needs the discordant counts b and c`);
    const { b, c: cc } = disc;
    if (!(Number.isInteger(b) && Number.isInteger(cc) && b >= 0 && cc >= 0)) throw new RangeError(`discordant counts must be non-negative integers, got b = ${b}, c = ${cc}`);
    const both = wholeCount(observed.n, rows, 'n') - b;
    if (both !== wholeCount(observed.o, rows, 'o') - cc || both < 0 || both + b + cc > rows) {
      throw new RangeError(`discordant counts b = ${b}, c = ${cc} do not fit accuracies ${observed.n} and ${observed.o} on ${rows} rows`);
    }
    cells[0].count = both;
    cells[1].count = b;
    cells[2].count = cc;
    cells[3].count = rows - both - b - cc;
    return cells;
  }
  // one of n, o: a Bernoulli share; the both-right cell carries that model's coefficient
  const right = uses('n') ? wholeCount(observed.n, rows, 'n') : wholeCount(observed.o, rows, 'o');
  cells[0].count = right;
  cells[3].count = rows - right;
  return cells;
}

/** Unbiased sample variance of the per-row value from its table (no cancellation: all terms ≥ 0). */
function tableVariance(cells: Cell[], rows: number): number {
  if (rows < 2) return 0;
  let sum = 0;
  for (const cell of cells) sum += cell.count * cell.value;
  const mean = sum / rows;
  let ss = 0;
  for (const cell of cells) ss += cell.count * (cell.value - mean) * (cell.value - mean);
  return ss / (rows - 1);
}

interface BoundFigures {
  bound: GateBound;
  needRows: number;
  halfWidth: number;
  variance: number | null;
  /** why Bernstein was asked for and not used */
  fallback: string | null;
}

function boundFigures(c: GateCondition, observed: GateObservation, reliability: number, allowed: number, adaptivity: GateAdaptivity, bound: GateBound): BoundFigures {
  if (bound === 'bernstein') {
    const range = bernsteinRange(c);
    if (range !== null) {
      const delta = evaluationDelta(reliability, allowed, adaptivity);
      const variance = tableVariance(rowTable(c, observed), observed.rows);
      return {
        bound,
        needRows: bernsteinRowsNeeded(variance, range, delta, c.tolerance),
        halfWidth: bernsteinHalfWidth(variance, range, observed.rows, delta),
        variance,
        fallback: null,
      };
    }
  }
  const delta = perTestDelta(c, reliability, allowed, adaptivity);
  return {
    bound: 'hoeffding',
    needRows: rowsNeeded(c, reliability, allowed, adaptivity),
    halfWidth: observed.rows > 0 ? halfWidth(c, observed.rows, delta) : Infinity,
    variance: null,
    fallback: bound === 'bernstein' ? 'the Bernstein bound covers conditions on n and o, or on d alone' : null,
  };
}

/**
 * Rows the gate needs for this observation: the Hoeffding count, or with the Bernstein bound
 * the count at which the observed variance would give a half-width ≤ ε.
 */
export function gateRowsNeeded(
  condition: GateCondition | string,
  observed: GateObservation,
  reliability = 0.999,
  evaluations = 1,
  options: { adaptivity?: GateAdaptivity; bound?: GateBound } = {},
): number {
  return boundFigures(asCondition(condition), observed, reliability, evaluations, options.adaptivity ?? 'none', options.bound ?? 'hoeffding').needRows;
}

const BOUND_NAME: Record<GateBound, string> = { hoeffding: 'Hoeffding', bernstein: 'empirical Bernstein' };

export function evaluateGate(
  condition: GateCondition | string,
  observed: GateObservation,
  budget: GateBudget,
  options: GateOptions = {},
): GateResult {
  const c = asCondition(condition);
  const reliability = options.reliability ?? 0.999;
  const adaptivity = options.adaptivity ?? 'none';
  const mode = options.mode ?? 'fp-free';
  const requested = options.bound ?? 'hoeffding';
  if (!GATE_BOUNDS.includes(requested)) throw new RangeError(`unknown gate bound "${requested}" (hoeffding or bernstein)`);
  const allowed = budget.evaluationsAllowed;

  let estimate = 0;
  for (const t of c.terms) {
    const value = observed[t.variable];
    if (value === undefined || !Number.isFinite(value)) throw new RangeError(`condition uses ${t.variable} but no value was given`);
    estimate += t.coefficient * value;
  }
  const fig = boundFigures(c, observed, reliability, allowed, adaptivity, requested);
  const needRows = fig.needRows;
  const h = fig.halfWidth;
  const interval: [number, number] = [estimate - h, estimate + h];
  const left = Math.max(0, allowed - budget.evaluationsUsed);
  const describe = `${formatLhs(c)} = ${estimate.toFixed(4)} ± ${Number.isFinite(h) ? h.toFixed(4) : '∞'}`;
  const boundText = fig.fallback ? `${BOUND_NAME[fig.bound]}: ${fig.fallback}` : BOUND_NAME[fig.bound];
  const base = { needRows, estimate, interval, bound: fig.bound, halfWidth: h, variance: fig.variance };

  if (budget.evaluationsUsed >= allowed) {
    return {
      ...base,
      pass: false,
      refused: 'budget-spent',
      remainingEvaluations: 0,
      message: `refused: the held-out rows have served ${budget.evaluationsUsed} of ${allowed} evaluations; wait for fresh labelled rows`,
    };
  }
  const have = Math.min(observed.rows, budget.heldOutRows);
  if (have < needRows) {
    return {
      ...base,
      pass: false,
      refused: 'not-enough-rows',
      remainingEvaluations: left,
      message: `refused: ${c.text} (${boundText}) at reliability ${reliability} over ${allowed} evaluations needs ${needRows} labelled held-out rows, have ${have}`,
    };
  }

  const optimistic = mode === 'fn-free';
  const pass =
    c.comparison === '>'
      ? (optimistic ? interval[1] : interval[0]) > c.threshold
      : (optimistic ? interval[0] : interval[1]) < c.threshold;
  const remaining = left - 1;
  return {
    ...base,
    pass,
    remainingEvaluations: remaining,
    message: `${pass ? 'pass' : 'fail'}: ${describe} ${pass ? '' : 'not '}${c.comparison} ${c.threshold} (${boundText}, reliability ${reliability}, ${mode}); ${remaining} of ${allowed} evaluations left`,
  };
}

function formatLhs(c: GateCondition): string {
  return c.terms
    .map((t, i) => {
      const sign = t.coefficient < 0 ? '- ' : i === 0 ? '' : '+ ';
      const abs = Math.abs(t.coefficient);
      return `${sign}${abs === 1 ? '' : `${abs}·`}${t.variable}`;
    })
    .join(' ');
}

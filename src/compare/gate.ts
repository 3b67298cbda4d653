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
 */

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

export interface GateOptions {
  /** 1 − δ, default 0.999 */
  reliability?: number;
  adaptivity?: GateAdaptivity;
  mode?: GateMode;
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
}

export interface GateResult {
  pass: boolean;
  refused?: 'budget-spent' | 'not-enough-rows';
  needRows: number;
  /** value of the condition's left-hand side */
  estimate: number;
  /** estimate ± the Hoeffding half-width at the observed row count */
  interval: [number, number];
  /** evaluations left after this one (refusals do not spend any) */
  remainingEvaluations: number;
  message: string;
}

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

/** Labelled rows a condition needs at the given reliability over `evaluations` uses. */
export function rowsNeeded(
  condition: GateCondition | string,
  reliability = 0.999,
  evaluations = 1,
  adaptivity: GateAdaptivity = 'none',
): number {
  const c = asCondition(condition);
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
  const allowed = budget.evaluationsAllowed;
  const needRows = rowsNeeded(c, reliability, allowed, adaptivity);
  const delta = perTestDelta(c, reliability, allowed, adaptivity);

  let estimate = 0;
  for (const t of c.terms) {
    const value = observed[t.variable];
    if (value === undefined || !Number.isFinite(value)) throw new RangeError(`condition uses ${t.variable} but no value was given`);
    estimate += t.coefficient * value;
  }
  const h = observed.rows > 0 ? halfWidth(c, observed.rows, delta) : Infinity;
  const interval: [number, number] = [estimate - h, estimate + h];
  const left = Math.max(0, allowed - budget.evaluationsUsed);
  const describe = `${formatLhs(c)} = ${estimate.toFixed(4)} ± ${Number.isFinite(h) ? h.toFixed(4) : '∞'}`;

  if (budget.evaluationsUsed >= allowed) {
    return {
      pass: false,
      refused: 'budget-spent',
      needRows,
      estimate,
      interval,
      remainingEvaluations: 0,
      message: `refused: the held-out rows have served ${budget.evaluationsUsed} of ${allowed} evaluations; wait for fresh labelled rows`,
    };
  }
  const have = Math.min(observed.rows, budget.heldOutRows);
  if (have < needRows) {
    return {
      pass: false,
      refused: 'not-enough-rows',
      needRows,
      estimate,
      interval,
      remainingEvaluations: left,
      message: `refused: ${c.text} at reliability ${reliability} over ${allowed} evaluations needs ${needRows} labelled held-out rows, have ${have}`,
    };
  }

  const optimistic = mode === 'fn-free';
  const pass =
    c.comparison === '>'
      ? (optimistic ? interval[1] : interval[0]) > c.threshold
      : (optimistic ? interval[0] : interval[1]) < c.threshold;
  const remaining = left - 1;
  return {
    pass,
    needRows,
    estimate,
    interval,
    remainingEvaluations: remaining,
    message: `${pass ? 'pass' : 'fail'}: ${describe} ${pass ? '' : 'not '}${c.comparison} ${c.threshold} (reliability ${reliability}, ${mode}); ${remaining} of ${allowed} evaluations left`,
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

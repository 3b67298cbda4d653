/**
 * The one gate result type and its one text form. `GateFigures` is what an evaluation of the
 * promotion gate (src/compare/gate.ts, evaluated on held-out rows by src/registry/switch.ts)
 * tells an operator; `GateReport` wraps it with the two cases where there is nothing to
 * evaluate. The CLI (`promote --dry-run`, `promote`, `compare`) and the console's promote
 * dialog print `gateLines` of the same report, so they cannot label the figures differently
 * (the interval is at the configured reliability, not at 95%).
 */
import type { GateBound } from '../compare/gate.js';

export type GateRefusal = 'budget-spent' | 'not-enough-rows';

export interface GateFigures {
  /** name@version of the candidate and of the active version (src/core/pair.ts) */
  candidate: string;
  active: string;
  condition: string;
  /** 1 − δ: the interval below holds at this level (over the evaluations allowed) */
  reliability: number;
  /** the bound behind interval and needRows (Hoeffding when Bernstein cannot apply) */
  bound: GateBound;
  heldOutShare: number;
  /** held-out labelled requests both versions scored, with label id > freshAfterLabelId */
  heldOutRows: number;
  needRows: number;
  /** candidate accuracy, active accuracy, share of disagreement on those rows */
  n: number;
  o: number;
  d: number;
  /** b: rows only the candidate got right, c: only the active version */
  discordant: { b: number; c: number };
  /** McNemar's exact p on the same held-out rows; null without a labelled row */
  mcnemarP: number | null;
  /** Bernstein: sample variance of the per-row n − o difference; null for Hoeffding */
  variance: number | null;
  /** value of the condition's left-hand side */
  estimate: number;
  /** estimate ± halfWidth at the observed row count, at `reliability` */
  interval: [number, number];
  halfWidth: number;
  pass: boolean;
  refused: GateRefusal | null;
  evaluationsAllowed: number;
  /** before this evaluation */
  evaluationsUsed: number;
  /** after this evaluation */
  remainingEvaluations: number;
  freshAfterLabelId: number;
  /** the budget had been spent and enough fresh labels restarted it */
  budgetRestarted: boolean;
  message: string;
}

export type GateStatus = 'evaluated' | 'no-active' | 'already-active' | 'error';

/** The gate for promoting `target` now: figures when there was something to evaluate. */
export interface GateReport {
  target: string;
  active: string | null;
  status: GateStatus;
  figures: GateFigures | null;
  /** one sentence: the verdict, or why there is none */
  message: string;
}

export interface GateLine {
  text: string;
  tone?: 'ok' | 'bad';
}

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : '—');
const fixed = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : v > 0 ? '∞' : '-∞');
const pValue = (p: number | null): string => (p === null || !Number.isFinite(p) ? '—' : p === 0 ? '<1e-300' : p >= 0.001 ? p.toFixed(3) : p.toExponential(0));

/** The report as lines for a terminal: the CLI prints the text, the console tones the verdict. */
export function gateLines(r: GateReport): GateLine[] {
  const g = r.figures;
  if (g === null) return [{ text: `gate       ${r.message}`, tone: r.status === 'error' ? 'bad' : undefined }];
  const budget = g.refused === 'budget-spent'
    ? `budget spent (${g.evaluationsAllowed} of ${g.evaluationsAllowed} evaluations used)`
    : `${g.evaluationsAllowed - g.evaluationsUsed} of ${g.evaluationsAllowed} evaluations left before this one${g.budgetRestarted ? ' (restarted on fresh labels)' : ''}`;
  return [
    { text: `gate       ${g.condition} at reliability ${g.reliability} (${g.bound === 'bernstein' ? 'empirical Bernstein' : 'Hoeffding'} bound)` },
    { text: `held out   ${g.heldOutRows} labelled rows both versions scored (share ${g.heldOutShare}), ${g.needRows} needed` },
    { text: `accuracy   candidate ${g.candidate} ${pct(g.n)}, active ${g.active} ${pct(g.o)}, disagree on ${pct(g.d)}` },
    { text: `estimate   ${g.estimate.toFixed(4)}, interval [${fixed(g.interval[0])}, ${fixed(g.interval[1])}] at ${g.reliability}; McNemar p ${pValue(g.mcnemarP)}` },
    { text: `budget     ${budget}` },
    { text: `verdict    ${g.message}`, tone: g.pass ? 'ok' : 'bad' },
  ];
}

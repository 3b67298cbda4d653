/**
 * Switching the active model, with the promotion gate in front of it.
 *
 * The gate (src/compare/gate.ts, after ease.ml/ci) is evaluated on the held-out labelled
 * requests (isHeldOut on the request id, cfg.gate.heldOutShare) that both the candidate and
 * the active version scored: n = candidate accuracy, o = active accuracy, d = disagreement.
 * The discordant counts (rows only the candidate got right, only the active got right) go
 * with them, so cfg.gate.bound 'bernstein' can use the variance of the per-row difference.
 * Each real evaluation, pass or fail, spends one of cfg.gate.evaluations from the pair's
 * budget in gate_state; a refusal for too few rows spends nothing. When the budget is spent
 * the held-out set is closed (its newest label id becomes the floor), and only held-out labels
 * that arrive after it count; once there are enough of them to meet the condition's row count
 * the budget restarts on that fresh set.
 *
 * Evaluation, budget spending and the switch with its audit row happen in ONE IMMEDIATE
 * transaction: a second promote process waits for the first, then re-reads the registry and
 * the budget, so two operators at once leave exactly one switch and a budget spent once.
 * routing.json and the on_switch hook run after the commit; their failure is reported, the
 * switch stands.
 */
import { isoTime } from '../core/time.js';
import type { Db } from '../../store/db.js';
import { currentOperator, type AuditInput } from '../../store/audit.js';
import { heldOutLabelledPairs } from '../../store/compareQueries.js';
import { readGateState, writeGateState, type GateState } from '../../store/gateState.js';
import { activeModel, findModel, parseRef, previousActive, promoteModel, refOf, RegistryError, type ModelInfo, type SwitchResult } from '../../store/registry.js';
import type { Config } from '../config.js';
import { evaluateGate, gateRowsNeeded, parseCondition, type GateBound, type GateObservation, type GateResult } from '../compare/gate.js';
import { isHeldOut } from '../compare/heldOut.js';
import { LoggedClasses } from '../core/classes.js';
import type { GateFigures, GateReport } from '../core/gate.js';
import { mcnemarExact } from '../compare/mcnemar.js';
import { runHook, type HookResult, type SwitchEvent } from './hook.js';
import { routingPath, writeRouting, type Routing } from './routing.js';

export type GateConfig = Config['gate'];

export interface PromoteOptions {
  force?: boolean;
  operator?: AuditInput;
  /** where routing.json goes; default next to cfg.db; null = do not write one */
  routingPath?: string | null;
  hookTimeoutMs?: number;
}

export interface SwitchOutcome {
  target: string;
  /** the switch happened */
  changed: boolean;
  /** 'promote' | 'force-promote' | 'rollback', or null when nothing switched */
  action: string | null;
  before: string | null;
  after: string | null;
  gate: GateFigures | null;
  /** why nothing switched */
  refusal: string | null;
  message: string;
  routing: { path: string; routing: Routing } | null;
  routingError: string | null;
  hook: HookResult | null;
}

interface HeldOutCounts {
  rows: number;
  nCorrect: number;
  oCorrect: number;
  /** only the candidate right, only the active right */
  newOnly: number;
  oldOnly: number;
  disagree: number;
  maxLabelId: number;
}

function heldOutCounts(db: Db, candidate: ModelInfo, active: ModelInfo, share: number, afterLabelId: number): HeldOutCounts {
  const classes = new LoggedClasses();
  const c: HeldOutCounts = { rows: 0, nCorrect: 0, oCorrect: 0, newOnly: 0, oldOnly: 0, disagree: 0, maxLabelId: afterLabelId };
  for (const r of heldOutLabelledPairs(db, candidate, active, afterLabelId, share, isHeldOut)) {
    const pn = classes.slot(r[1]);
    const po = classes.slot(r[2]);
    const y = classes.slot(r[3]);
    c.rows++;
    if (pn === y) c.nCorrect++;
    if (po === y) c.oCorrect++;
    if (pn === y && po !== y) c.newOnly++;
    if (po === y && pn !== y) c.oldOnly++;
    if (pn !== po) c.disagree++;
    if (r[4] > c.maxLabelId) c.maxLabelId = r[4];
  }
  return c;
}

function resolveTarget(db: Db, target: string): ModelInfo {
  const ref = parseRef(target);
  const m = findModel(db, ref.name, ref.version);
  if (!m) throw new RegistryError(`no model ${target} in the registry`);
  return m;
}

/**
 * Evaluates the gate for candidate vs active. With `spend`, records the evaluation in
 * gate_state (the caller holds the write transaction).
 */
function evaluate(db: Db, candidate: ModelInfo, active: ModelInfo, gate: GateConfig, spend: boolean): GateFigures {
  const condition = parseCondition(gate.condition);
  const allowed = Math.max(1, Math.floor(gate.evaluations));
  const cand = refOf(candidate);
  const act = refOf(active);
  const state: GateState = readGateState(db, cand, act);
  const bound: GateBound = gate.bound ?? 'hoeffding';
  const counts = heldOutCounts(db, candidate, active, gate.heldOutShare, state.freshAfterLabelId);
  const rows = counts.rows;
  const d = rows > 0 ? counts.disagree / rows : 0;
  const observed: GateObservation = {
    n: rows > 0 ? counts.nCorrect / rows : 0,
    o: rows > 0 ? counts.oCorrect / rows : 0,
    d,
    rows,
    discordant: { b: counts.newOnly, c: counts.oldOnly },
  };
  // With Bernstein the rows needed depend on the observed variance of the fresh set.
  const needRows = gateRowsNeeded(condition, observed, gate.reliability, allowed, { bound });
  let restarted = false;
  if (state.evaluationsUsed >= allowed && counts.rows >= needRows) {
    // A fresh held-out set large enough for the condition: the budget starts again on it.
    state.evaluationsUsed = 0;
    restarted = true;
  }
  const result: GateResult = evaluateGate(condition, observed, { heldOutRows: rows, evaluationsAllowed: allowed, evaluationsUsed: state.evaluationsUsed }, { reliability: gate.reliability, bound });
  let message = result.message;
  if (result.refused === 'budget-spent') {
    message = `refused: the held-out labels have served all ${allowed} gate evaluations of ${cand} against ${act}; wait for fresh labels (${rows} fresh held-out rows of the ${needRows} the ${result.bound === 'bernstein' ? 'empirical Bernstein' : 'Hoeffding'} bound needs)`;
  }
  const used = state.evaluationsUsed;
  if (spend && result.refused === undefined) {
    state.evaluationsUsed += 1;
    // Close the set once it is spent: later evaluations may only use labels newer than it.
    if (state.evaluationsUsed >= allowed) state.freshAfterLabelId = counts.maxLabelId;
    writeGateState(db, state);
  } else if (spend && restarted) {
    writeGateState(db, state);
  }
  return {
    candidate: cand,
    active: act,
    condition: condition.text,
    reliability: gate.reliability,
    bound: result.bound,
    heldOutShare: gate.heldOutShare,
    heldOutRows: rows,
    needRows: result.needRows,
    n: observed.n,
    o: observed.o,
    d,
    discordant: { b: counts.newOnly, c: counts.oldOnly },
    mcnemarP: rows > 0 ? mcnemarExact(counts.newOnly, counts.oldOnly).pValue : null,
    variance: result.variance,
    estimate: result.estimate,
    interval: result.interval,
    halfWidth: result.halfWidth,
    pass: result.pass,
    refused: result.refused ?? null,
    evaluationsAllowed: allowed,
    evaluationsUsed: used,
    remainingEvaluations: result.remainingEvaluations,
    freshAfterLabelId: state.freshAfterLabelId,
    budgetRestarted: restarted,
    message,
  };
}

/** The gate's figures for promoting `target` now, without spending any budget. */
export function gatePreview(db: Db, target: string, cfg: Pick<Config, 'gate'>): GateReport {
  return db.transaction((): GateReport => {
    const candidate = resolveTarget(db, target);
    const active = activeModel(db);
    const t = refOf(candidate);
    if (!active) return { target: t, active: null, status: 'no-active', figures: null, message: `there is no active model to compare ${t} with: promoting it needs no gate` };
    if (active.id === candidate.id) return { target: t, active: refOf(active), status: 'already-active', figures: null, message: `${t} is already active` };
    const figures = evaluate(db, candidate, active, cfg.gate, false);
    return { target: t, active: refOf(active), status: 'evaluated', figures, message: figures.message };
  })();
}

interface Decided {
  target: string;
  gate: GateFigures | null;
  result: SwitchResult | null;
  action: string | null;
  refusal: string | null;
  message: string;
}

/**
 * Promotes `target` (NAME@VERSION, or NAME for its newest version) when the gate passes, or
 * with `force` whatever the gate says (audited as force-promote with the failed figures).
 */
export async function promoteWithGate(db: Db, target: string, cfg: Pick<Config, 'gate' | 'db' | 'on_switch'>, options: PromoteOptions = {}): Promise<SwitchOutcome> {
  const operator = options.operator ?? currentOperator();
  const decide = db.transaction((): Decided => {
    const candidate = resolveTarget(db, target);
    const t = refOf(candidate);
    const active = activeModel(db);
    if (!active) {
      const result = promoteModel(db, candidate.name, candidate.version, { ...operator, details: JSON.stringify({ gate: null, reason: 'no active model to compare with' }) });
      return { target: t, gate: null, result, action: 'promote', refusal: null, message: result.message };
    }
    if (active.id === candidate.id) return { target: t, gate: null, result: null, action: null, refusal: null, message: `${t} is already active` };
    const gate = evaluate(db, candidate, active, cfg.gate, true);
    if (gate.pass || options.force) {
      const action = gate.pass ? 'promote' : 'force-promote';
      const details = JSON.stringify({ gate, forced: !gate.pass });
      const result = promoteModel(db, candidate.name, candidate.version, { ...operator, details }, action);
      const message = gate.pass ? `${result.message}; gate passed: ${gate.message}` : `${result.message} by --force; the gate did not pass: ${gate.message}`;
      return { target: t, gate, result, action, refusal: null, message };
    }
    return { target: t, gate, result: null, action: null, refusal: gate.message, message: `${t} was not promoted: ${gate.message}` };
  });
  const d = decide.immediate();
  return afterSwitch(db, d, cfg, operator, options);
}

/** Back to the version that was active before the last switch (of `name`, if given). */
export async function rollback(db: Db, name: string | undefined, cfg: Pick<Config, 'db' | 'on_switch'>, options: Omit<PromoteOptions, 'force'> = {}): Promise<SwitchOutcome> {
  const operator = options.operator ?? currentOperator();
  const d = db.transaction((): Decided => {
    const prev = previousActive(db, name);
    if (!prev) throw new RegistryError(`no earlier active version${name ? ` of ${name}` : ''} to roll back to`);
    const active = activeModel(db);
    const result = promoteModel(db, prev.name, prev.version, { ...operator, details: JSON.stringify({ rolledBackFrom: active ? refOf(active) : null }) }, 'rollback');
    return { target: refOf(prev), gate: null, result, action: 'rollback', refusal: null, message: result.message };
  }).immediate();
  return afterSwitch(db, d, cfg, operator, options);
}

async function afterSwitch(db: Db, d: Decided, cfg: Pick<Config, 'db' | 'on_switch'>, operator: AuditInput, options: Omit<PromoteOptions, 'force'>): Promise<SwitchOutcome> {
  const changed = d.result?.changed ?? false;
  const out: SwitchOutcome = {
    target: d.target,
    changed,
    action: changed ? d.action : null,
    before: d.result?.before ?? null,
    after: d.result?.after ?? null,
    gate: d.gate,
    refusal: d.refusal,
    message: d.result && !changed ? d.result.message : d.message,
    routing: null,
    routingError: null,
    hook: null,
  };
  if (!changed) return out;
  const path = options.routingPath === undefined ? routingPath(cfg.db) : options.routingPath;
  let routing: Routing | null = null;
  if (path !== null) {
    try {
      routing = writeRouting(db, path);
      out.routing = { path, routing };
    } catch (err) {
      out.routingError = `routing file ${path} was not written: ${(err as Error).message}`;
    }
  }
  if (cfg.on_switch) {
    const event: SwitchEvent = {
      action: out.action as string,
      before: out.before,
      after: out.after as string,
      at: isoTime(Date.now()),
      operator: operator.operator,
      client: operator.client,
      routing: routing ? { active: routing.active, shadows: routing.shadows } : null,
      gate: d.gate,
    };
    out.hook = await runHook(cfg.on_switch, event, options.hookTimeoutMs);
  }
  return out;
}

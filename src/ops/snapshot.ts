/**
 * The snapshot the console draws, and the parts of it that come from the store rather than the
 * engine's aggregates (retrain jobs, the gate budget of each shadow pair). `headlessSnapshot`
 * runs the engine over the database once and returns the snapshot every screen would draw:
 * `mlops-tui snapshot --json` prints it, so scripts and tests read each figure without a
 * terminal (one engine, swappable renderers).
 */
import { readGateState } from '../../store/gateState.js';
import { gateRowsNeeded, parseCondition, rowsNeeded, type GateCondition } from '../compare/gate.js';
import type { Config } from '../config.js';
import type { Engine } from '../engine/engine.js';
import type { ChoosePolicyStatus, Snapshot } from '../engine/snapshot.js';
import { lastPolicyAction } from '../../store/choosePolicy.js';
import type { PairRefs } from '../core/pair.js';
import { toSnapshotJob } from '../retrain/jobView.js';
import { listRetrains } from './retrain.js';
import type { OpsContext } from './context.js';

function conditionOf(cfg: Config): GateCondition | null {
  try { return parseCondition(cfg.gate.condition); } catch { return null; }
}

/**
 * Held-out rows the gate condition needs for a pair. The variance-aware bound depends on how
 * often the two models disagree, estimated from all labelled pairs the engine has seen (the
 * gate itself uses the held-out rows only).
 */
function needRows(ctx: OpsContext, engine: Engine, condition: GateCondition | null, pair: PairRefs): number {
  if (condition === null) return 0;
  const { reliability, evaluations } = ctx.cfg.gate;
  const bound = ctx.cfg.gate.bound ?? 'hoeffding';
  const lab = engine.labelledComparison(pair);
  try {
    if (lab && lab.labelled >= 100) {
      return gateRowsNeeded(condition, { n: lab.accuracyA, o: lab.accuracyB, rows: lab.labelled, discordant: lab.discordant }, reliability, evaluations, { bound });
    }
    return rowsNeeded(condition, reliability, evaluations, 'none', bound);
  } catch {
    return 0;
  }
}

/**
 * choose.auto's settings and what it did last, from the policy's own memory (the choose_policy
 * table it decides by, store/choosePolicy.ts; the reason joined from the audit row written with it).
 */
export function choosePolicyStatus(ctx: OpsContext): ChoosePolicyStatus {
  const c = ctx.cfg.choose;
  return { auto: c.auto, margin: c.margin, windows: c.windows, requireDrift: c.requireDrift, last: lastPolicyAction(ctx.db) };
}

/** Fills in the jobs, each pair's gate budget and the choice policy's state (the engine's snapshot leaves them out). */
export function decorateSnapshot(ctx: OpsContext, engine: Engine, s: Snapshot): void {
  s.jobs = listRetrains(ctx, 50).map(toSnapshotJob);
  s.choosePolicy = choosePolicyStatus(ctx);
  const condition = conditionOf(ctx.cfg);
  for (const p of s.pairs) {
    const st = readGateState(ctx.db, p.candidate, p.active);
    p.gate = {
      remaining: Math.max(0, ctx.cfg.gate.evaluations - st.evaluationsUsed),
      allowed: ctx.cfg.gate.evaluations,
      needRows: needRows(ctx, engine, condition, p),
      haveRows: engine.heldOutPairs(p),
    };
  }
}

/** Runs the engine over the database once (no ingest, no jobs run) and returns the console's snapshot. */
export async function headlessSnapshot(cfg: Config, options: { lookback?: number } = {}): Promise<Snapshot> {
  const [{ Engine }, { currentOperator }] = await Promise.all([import('../engine/engine.js'), import('../../store/audit.js')]);
  const engine = new Engine({ config: cfg, ingest: false, lookback: options.lookback, snapshotMs: 60_000 });
  try {
    await engine.start();
    await engine.caughtUp();
    const s = engine.buildSnapshot();
    decorateSnapshot({ db: engine.db, cfg, operator: currentOperator() }, engine, s);
    return s;
  } finally {
    await engine.stop();
  }
}

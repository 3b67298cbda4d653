/** Promote, rollback and the gate preview: the registry switch behind the gate (src/registry/switch.ts). */
import { activeModel, previousActive, refOf } from '../../store/registry.js';
import { gatePreview as previewGate, promoteWithGate, rollback as rollbackSwitch, type SwitchOutcome } from '../registry/switch.js';
import type { GateReport } from '../core/gate.js';
import { OpsInputError, type OpsContext } from './context.js';

export type { SwitchOutcome };

/** The gate for promoting `target` now; spends no budget. Throws for an unknown target. */
export function gatePreview(ctx: OpsContext, target: string): GateReport {
  return previewGate(ctx.db, target, ctx.cfg);
}

/** Promotes `target` when the gate passes (or with `force`, audited as force-promote). */
export function promote(ctx: OpsContext, target: string, opts: { force?: boolean } = {}): Promise<SwitchOutcome> {
  return promoteWithGate(ctx.db, target, ctx.cfg, { force: opts.force === true, operator: ctx.operator });
}

/** Which version a rollback (of `name`, if given) would make active, and which it replaces. */
export function rollbackPlan(ctx: OpsContext, name?: string): { from: string | null; to: string } {
  const prev = previousActive(ctx.db, name);
  if (!prev) throw new OpsInputError(`no earlier active version${name ? ` of ${name}` : ''} to roll back to`);
  const active = activeModel(ctx.db);
  return { from: active ? refOf(active) : null, to: refOf(prev) };
}

/** Back to the version that was active before the last switch (no gate: going back is always allowed). */
export function rollback(ctx: OpsContext, name?: string): Promise<SwitchOutcome> {
  return rollbackSwitch(ctx.db, name, ctx.cfg, { operator: ctx.operator });
}

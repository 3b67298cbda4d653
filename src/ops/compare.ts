/**
 * `compare`: each shadow against the active version (or two named versions) from the store,
 * with the gate preview of each serving pair. The figures come from comparePairFromStore, whose
 * pair statistics are src/core/pair.ts's pairFigures, the pipeline the console's engine uses.
 */
import { parseRef } from '../../store/registry.js';
import { comparePairFromStore, resolveSince, servingPairs, type StorePairComparison } from '../compare/fromStore.js';
import { gatePreview } from '../registry/switch.js';
import type { GateReport } from '../core/gate.js';
import { parseDuration } from '../core/time.js';
import { OpsInputError, type OpsContext } from './context.js';

export interface CompareRequest {
  /** two versions (NAME@VERSION), or neither for the serving pairs */
  a?: string;
  b?: string;
  /** ISO time, or a duration before the newest prediction */
  since?: string;
  alpha?: number;
  midP?: boolean;
}

/** CBPE windows are the drift windows (cfg.drift.window). */
function windowMsOf(ctx: OpsContext): number {
  return parseDuration(ctx.cfg.drift.window);
}

export interface PairResult {
  comparison: StorePairComparison;
  /** the gate of promoting the candidate, for serving pairs */
  gate: GateReport | null;
}

function refArg(text: string): { name: string; version: number } {
  const r = parseRef(text);
  if (r.version === null) throw new OpsInputError(`"${text}" needs a version: NAME@VERSION`);
  return { name: r.name, version: r.version };
}

export function compare(ctx: OpsContext, req: CompareRequest = {}): PairResult[] {
  if ((req.a === undefined) !== (req.b === undefined)) throw new OpsInputError('give two versions to compare, or none for the serving pairs');
  let since: number | null;
  try {
    since = resolveSince(ctx.db, req.since);
  } catch (err) {
    throw new OpsInputError((err as Error).message);
  }
  const pairs = req.a !== undefined && req.b !== undefined
    ? [{ candidate: refArg(req.a), baseline: refArg(req.b), serving: false }]
    : servingPairs(ctx.db).map((p) => ({ ...p, serving: true }));
  return pairs.map((p) => {
    const comparison = comparePairFromStore(ctx.db, p.candidate, p.baseline, { since, alpha: req.alpha, midP: req.midP, windowMs: windowMsOf(ctx) });
    return { comparison, gate: p.serving ? gatePreview(ctx.db, comparison.candidate, ctx.cfg) : null };
  });
}

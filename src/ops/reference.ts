/**
 * Pinning a model version's CBPE reference period (issue 12): `mlops-tui reference set` and the
 * Models screen's `r` both call `pinReference`, so the console and the CLI validate, fit and audit
 * one way. `suggestReference` gives the console's dialog its defaults: the model's first labelled
 * week (whole UTC days, as the CLI's help asks: a part of a day is one time of day), and the
 * reference in force, so the operator sees what a pin would replace.
 */
import { cbpeReferenceFromStore, pinCbpeReference, type PinResult } from '../compare/cbpeStore.js';
import { CbpeReferenceError, MIN_REFERENCE_ROWS } from '../compare/cbpeReference.js';
import { firstLabelledTs, labelledCountBetween } from '../../store/cbpeReferences.js';
import { parseRef } from '../../store/registry.js';
import { OpsInputError, type OpsContext } from './context.js';

const DAY = 86_400_000;
/** The suggested period: a week holds every weekday once. */
export const SUGGESTED_DAYS = 7;

/** The reference a pin would replace, as the snapshot describes one. */
export interface ReferenceInForce {
  source: 'training-holdout' | 'pinned';
  rows: number;
  from: number | null;
  until: number | null;
}

export interface ReferenceSuggestion {
  target: string;
  /** The first labelled week, or null when the model has no labelled prediction yet. */
  from: number | null;
  until: number | null;
  /** Labelled, scored predictions in that week (a reference needs MIN_REFERENCE_ROWS). */
  labelled: number;
  needed: number;
  current: ReferenceInForce | null;
  /** Why there is no suggestion (the console shows it in the dialog); null when all went well. */
  error: string | null;
}

/** The registry's reference rule (store/registry.ts), with a version required. */
function checkTarget(target: string): { name: string; version: number } {
  let ref: { name: string; version: number | null };
  try {
    ref = parseRef(target);
  } catch {
    ref = { name: '', version: null };
  }
  if (ref.version === null) throw new OpsInputError(`"${target}" must be NAME@VERSION, e.g. flights-mlp@2`);
  return { name: ref.name, version: ref.version };
}

export function suggestReference(ctx: OpsContext, target: string): ReferenceSuggestion {
  const { name, version } = checkTarget(target);
  const { reference } = cbpeReferenceFromStore(ctx.db, target);
  const current = reference ? { source: reference.source, rows: reference.rows, from: reference.from ?? null, until: reference.until ?? null } : null;
  const first = firstLabelledTs(ctx.db, name, version);
  if (first === null) return { target, from: null, until: null, labelled: 0, needed: MIN_REFERENCE_ROWS, current, error: null };
  const from = Math.floor(first / DAY) * DAY;
  const until = from + SUGGESTED_DAYS * DAY;
  return { target, from, until, labelled: labelledCountBetween(ctx.db, name, version, from, until), needed: MIN_REFERENCE_ROWS, current, error: null };
}

/**
 * Fits the reference on the labelled predictions of `target` with request time in [from, until)
 * and pins it (audited as `reference-set` by the context's operator). A request that can never
 * succeed as given (bad reference, empty period, too few labelled rows) is an OpsInputError.
 */
export function pinReference(ctx: OpsContext, target: string, from: number, until: number): PinResult {
  checkTarget(target);
  if (!(Number.isFinite(from) && Number.isFinite(until))) throw new OpsInputError('the period needs a start and an end');
  if (!(until > from)) throw new OpsInputError('the end of the period must be after its start');
  const { artifact } = cbpeReferenceFromStore(ctx.db, target);
  try {
    return pinCbpeReference(ctx.db, target, from, until, ctx.operator, artifact);
  } catch (e) {
    if (e instanceof CbpeReferenceError) throw new OpsInputError(e.message);
    throw e;
  }
}

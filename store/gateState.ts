/**
 * The promotion gate's reuse budget per (candidate, active) pair. The held-out set of a pair
 * is its held-out labelled rows with a label id above `fresh_after_label_id`; each gate
 * evaluation on it spends one of the allowed evaluations. When the last one is spent the
 * floor moves to the newest label that evaluation saw, so only labels that arrive later
 * (fresh rows the operator has not seen a verdict on) can form the next set.
 */
import type { Db } from './db.js';

export interface GateState {
  candidate: string;
  active: string;
  evaluationsUsed: number;
  freshAfterLabelId: number;
}

export function readGateState(db: Db, candidate: string, active: string): GateState {
  const r = db.prepare('SELECT evaluations_used, fresh_after_label_id FROM gate_state WHERE candidate = ? AND active = ?')
    .get(candidate, active) as { evaluations_used: number; fresh_after_label_id: number } | undefined;
  return { candidate, active, evaluationsUsed: r?.evaluations_used ?? 0, freshAfterLabelId: r?.fresh_after_label_id ?? 0 };
}

export function writeGateState(db: Db, s: GateState): void {
  db.prepare(`INSERT INTO gate_state (candidate, active, evaluations_used, fresh_after_label_id) VALUES (?, ?, ?, ?)
    ON CONFLICT (candidate, active) DO UPDATE SET evaluations_used = excluded.evaluations_used, fresh_after_label_id = excluded.fresh_after_label_id`)
    .run(s.candidate, s.active, s.evaluationsUsed, s.freshAfterLabelId);
}

export function allGateStates(db: Db): GateState[] {
  return (db.prepare('SELECT candidate, active, evaluations_used, fresh_after_label_id FROM gate_state ORDER BY candidate, active').all() as Array<{ candidate: string; active: string; evaluations_used: number; fresh_after_label_id: number }>)
    .map((r) => ({ candidate: r.candidate, active: r.active, evaluationsUsed: r.evaluations_used, freshAfterLabelId: r.fresh_after_label_id }));
}

/**
 * The label-free choice policy's memory (choose.auto, src/compare/autoChoose.ts): the last
 * window a switch was decided on and the last switch it made, one row, so a restart neither
 * repeats a switch nor stops watching the labels for its rollback.
 */
import type { Db } from './db.js';

export interface StoredPolicySwitch {
  from: string;
  to: string;
  since: number;
  rolledBack: boolean;
}

export interface ChoosePolicyState {
  lastDecidedWindow: number | null;
  lastSwitch: StoredPolicySwitch | null;
}

interface Row {
  last_decided_window: number | null;
  switch_from: string | null;
  switch_to: string | null;
  switch_since: number | null;
  rolled_back: number;
}

export function readChoosePolicy(db: Db): ChoosePolicyState {
  const r = db.prepare('SELECT last_decided_window, switch_from, switch_to, switch_since, rolled_back FROM choose_policy WHERE id = 1').get() as Row | undefined;
  if (!r) return { lastDecidedWindow: null, lastSwitch: null };
  const lastSwitch = r.switch_from !== null && r.switch_to !== null && r.switch_since !== null
    ? { from: r.switch_from, to: r.switch_to, since: r.switch_since, rolledBack: r.rolled_back === 1 }
    : null;
  return { lastDecidedWindow: r.last_decided_window, lastSwitch };
}

export function writeChoosePolicy(db: Db, s: ChoosePolicyState, at = Date.now()): void {
  const w = s.lastSwitch;
  db.prepare(`INSERT INTO choose_policy (id, last_decided_window, switch_from, switch_to, switch_since, rolled_back, updated_at)
    VALUES (1, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET last_decided_window = excluded.last_decided_window, switch_from = excluded.switch_from,
      switch_to = excluded.switch_to, switch_since = excluded.switch_since, rolled_back = excluded.rolled_back, updated_at = excluded.updated_at`)
    .run(s.lastDecidedWindow, w?.from ?? null, w?.to ?? null, w?.since ?? null, w?.rolledBack ? 1 : 0, at);
}

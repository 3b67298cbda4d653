/**
 * The label-free choice policy's memory (choose.auto, src/compare/autoChoose.ts): the last
 * window a switch was decided on and the last switch it made, one row, so a restart neither
 * repeats a switch nor stops watching the labels for its rollback.
 */
import type { Db } from './db.js';
import { appendAudit } from './audit.js';

/** The audit actions of the policy's decisions, each written with the policy's memory (recordPolicyDecision). */
const AUDIT_ACTION = { switch: 'policy-choose', rollback: 'policy-rollback' } as const;

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

/** A decision of the policy, as its audit row says it: `from` is what was active, `to` what it asks for. */
export interface PolicyDecision {
  action: keyof typeof AUDIT_ACTION;
  from: string;
  to: string;
  reason: string;
}

/**
 * A decision and the memory it leaves, in one transaction: the audit row (operator `policy`) and
 * the table, so neither is there without the other after a crash.
 */
export function recordPolicyDecision(db: Db, s: ChoosePolicyState, d: PolicyDecision, at = Date.now()): void {
  db.transaction(() => {
    appendAudit(db, { operator: 'policy', client: null, action: AUDIT_ACTION[d.action], subject: d.to, before: d.from, after: d.to, details: d.reason });
    writeChoosePolicy(db, s, at);
  })();
}

/** The policy's last switch, or its rollback, as the console shows it. */
export interface LastPolicyAction {
  action: 'switch' | 'rollback';
  at: number;             // when the policy decided it (its audit row)
  from: string;           // active before
  to: string;             // active after
  reason: string | null;  // the policy's sentence, from the audit row
}

/**
 * What the policy did last, from its own memory (the table): the switch it made, or that switch's
 * rollback. A switch decided but not carried out (the promotion changed nothing) leaves the table
 * as it was, so it is not shown. When and why are joined from the audit row written with it —
 * the newest policy row with the same action and models; the table's own time if there is none.
 */
export function lastPolicyAction(db: Db): LastPolicyAction | null {
  const r = db.prepare(`SELECT c.switch_from, c.switch_to, c.rolled_back, c.updated_at,
      a.at AS audit_at, a.details
    FROM choose_policy c
    LEFT JOIN audit a ON a.id = (
      SELECT id FROM audit
      WHERE operator = 'policy'
        AND action = CASE c.rolled_back WHEN 1 THEN @rollback ELSE @switch END
        AND before = CASE c.rolled_back WHEN 1 THEN c.switch_to ELSE c.switch_from END
        AND after = CASE c.rolled_back WHEN 1 THEN c.switch_from ELSE c.switch_to END
      ORDER BY id DESC LIMIT 1)
    WHERE c.id = 1 AND c.switch_from IS NOT NULL AND c.switch_to IS NOT NULL AND c.switch_since IS NOT NULL`)
    .get({ switch: AUDIT_ACTION.switch, rollback: AUDIT_ACTION.rollback }) as
    { switch_from: string; switch_to: string; rolled_back: number; updated_at: number; audit_at: number | null; details: string | null } | undefined;
  if (!r) return null;
  const back = r.rolled_back === 1;
  return {
    action: back ? 'rollback' : 'switch',
    at: r.audit_at ?? r.updated_at,
    from: back ? r.switch_to : r.switch_from,
    to: back ? r.switch_from : r.switch_to,
    reason: r.details,
  };
}

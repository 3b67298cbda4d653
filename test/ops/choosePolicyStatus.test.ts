/**
 * The Shadow screen's choose.auto line comes from the snapshot's `choosePolicy`, filled by the one
 * snapshot decorator (the console's engine and `mlops-tui snapshot --json` both run it) from the
 * policy's own memory, the choose_policy table it decides by (store/choosePolicy.ts): on a real
 * store, written the way the policy writes it (src/engine/operations.ts), the line follows the
 * table — a switch decided but not carried out is not a switch, an operator's promotion is not
 * one, a rollback recorded in the table is — and the reason is the one of the audit row written
 * with it.
 */
import React from 'react';
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { tempDir } from '../helpers/tmp.js';
import { syntheticStore, OPERATOR } from '../registry/storeFixture.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import { choosePolicyStatus, headlessSnapshot } from '../../src/ops/snapshot.js';
import { appendAudit, auditTrail } from '../../store/audit.js';
import { readChoosePolicy, recordPolicyDecision, writeChoosePolicy } from '../../store/choosePolicy.js';
import { openDb } from '../../store/db.js';
import { open } from '../components/harness.js';
import { makeSnapshot } from '../components/fixtures.js';

void React;
afterEach(() => cleanup());

const DAY = 86_400_000;

function store(): { config: Config; dbPath: string } {
  const dir = tempDir();
  const dbPath = join(dir, 'mlops.db');
  syntheticStore(dbPath, [{ name: 'm', noise: 1, alias: 'active' }, { name: 'c', noise: 0.5, alias: 'shadow' }], { rows: 400 }).close();
  return { dbPath, config: { ...DEFAULT_CONFIG, db: dbPath, watch: join(dir, 'predictions') } };
}

test('choose.auto status follows the policy\'s table: a decided switch that changed nothing, a switch, an operator promotion, a rollback', async () => {
  const { config } = store();
  const db = openDb(config.db);
  const ctx = { db, cfg: config, operator: OPERATOR };
  const window = Date.UTC(2001, 2, 8);
  try {
    assert.deepEqual(choosePolicyStatus(ctx), { auto: false, margin: 0.01, windows: 2, requireDrift: true, last: null });

    // A switch decided (audited with the decided window) whose promotion changed nothing: the
    // table keeps no switch, so neither does the screen, although the audit trail has the decision.
    recordPolicyDecision(db, { lastDecidedWindow: window, lastSwitch: null }, { action: 'switch', from: 'm@1', to: 'c@1', reason: 'first decision' });
    assert.equal(auditTrail(db).filter((e) => e.action === 'policy-choose').length, 1);
    assert.equal(choosePolicyStatus(ctx).last, null);

    // The next decision, carried out: the table gets the switch once the promotion changed the registry.
    recordPolicyDecision(db, { lastDecidedWindow: window + DAY, lastSwitch: null }, { action: 'switch', from: 'm@1', to: 'c@1', reason: 'c@1 estimated ahead' });
    const decidedAt = auditTrail(db)[0].at;
    writeChoosePolicy(db, { lastDecidedWindow: window + DAY, lastSwitch: { from: 'm@1', to: 'c@1', since: window + 2 * DAY, rolledBack: false } });
    const on = choosePolicyStatus({ ...ctx, cfg: { ...config, choose: { ...config.choose, auto: true, windows: 3 } } });
    assert.equal(on.auto, true);
    assert.equal(on.windows, 3);
    assert.deepEqual(on.last, { action: 'switch', at: decidedAt, from: 'm@1', to: 'c@1', reason: 'c@1 estimated ahead' });

    // An operator's promotion is in the audit trail, not in the policy's memory.
    appendAudit(db, { operator: 'alice', client: null, action: 'promote', subject: 'm@1', before: 'c@1', after: 'm@1', details: 'gate pass' });
    assert.equal(choosePolicyStatus(ctx).last?.action, 'switch');

    // The labels contradict the switch: the rollback is recorded in the table with its audit row.
    const remembered = readChoosePolicy(db);
    recordPolicyDecision(db, { ...remembered, lastSwitch: { ...remembered.lastSwitch!, rolledBack: true } }, { action: 'rollback', from: 'c@1', to: 'm@1', reason: 'labels disagree' });
    const back = choosePolicyStatus(ctx);
    assert.equal(back.last?.action, 'rollback');
    assert.deepEqual([back.last?.from, back.last?.to, back.last?.reason], ['c@1', 'm@1', 'labels disagree']);
    assert.equal(back.last?.at, auditTrail(db)[0].at);
  } finally {
    db.close();
  }
  // The headless snapshot (`mlops-tui snapshot --json`), a fresh engine on the same store, carries it too.
  const s = await headlessSnapshot(config);
  assert.equal(s.choosePolicy?.last?.action, 'rollback');
  assert.equal(s.choosePolicy?.auto, false);
});

test('the Shadow screen\'s choose.auto line is the table\'s: after a rollback recorded there it says rollback', async () => {
  const { config } = store();
  const db = openDb(config.db);
  const ctx = { db, cfg: { ...config, choose: { ...config.choose, auto: true } }, operator: OPERATOR };
  const line = async (): Promise<string> => {
    const h = await open({ snapshot: { ...makeSnapshot(), choosePolicy: choosePolicyStatus(ctx) }, columns: 160, rows: 36 });
    await h.press('3');
    const l = h.frame().split('\n').find((x) => x.startsWith('choose.auto')) ?? '';
    h.unmount();
    return l;
  };
  try {
    const since = Date.UTC(2001, 2, 9);
    recordPolicyDecision(db, { lastDecidedWindow: since - DAY, lastSwitch: null }, { action: 'switch', from: 'm@1', to: 'c@1', reason: 'c@1 estimated ahead' });
    assert.match(await line(), /^choose\.auto ON · never switched · /);
    writeChoosePolicy(db, { lastDecidedWindow: since - DAY, lastSwitch: { from: 'm@1', to: 'c@1', since, rolledBack: false } });
    assert.match(await line(), /^choose\.auto ON · last switch \d{4}-\d\d-\d\d \d\d:\d\d m@1 → c@1 · rule: /);
    recordPolicyDecision(db, { lastDecidedWindow: since - DAY, lastSwitch: { from: 'm@1', to: 'c@1', since, rolledBack: true } }, { action: 'rollback', from: 'c@1', to: 'm@1', reason: 'labels disagree' });
    assert.match(await line(), /^choose\.auto ON · last rollback \d{4}-\d\d-\d\d \d\d:\d\d c@1 → m@1 · rule: /);
  } finally {
    db.close();
  }
});

/**
 * The Shadow screen's choose.auto line comes from the snapshot's `choosePolicy`, filled from the
 * config and the audit trail by the one snapshot decorator (the console's engine and
 * `mlops-tui snapshot --json` both run it): on a real store, the last policy switch or rollback
 * is the newest of its audit rows, and an operator's promotion is not one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { syntheticStore, OPERATOR } from '../registry/storeFixture.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import { choosePolicyStatus, headlessSnapshot } from '../../src/ops/snapshot.js';
import { appendAudit } from '../../store/audit.js';

function store(): { config: Config; dbPath: string } {
  const dir = tempDir();
  const dbPath = join(dir, 'mlops.db');
  syntheticStore(dbPath, [{ name: 'm', noise: 1, alias: 'active' }, { name: 'c', noise: 0.5, alias: 'shadow' }], { rows: 400 }).close();
  return { dbPath, config: { ...DEFAULT_CONFIG, db: dbPath, watch: join(dir, 'predictions') } };
}

test('choose.auto status: off with no switch, then the newest policy switch or rollback from the audit trail', async () => {
  const { config } = store();
  const { openDb } = await import('../../store/db.js');
  const db = openDb(config.db);
  try {
    const ctx = { db, cfg: config, operator: OPERATOR };
    assert.deepEqual(choosePolicyStatus(ctx), { auto: false, margin: 0.01, windows: 2, requireDrift: true, last: null });
    appendAudit(db, { operator: 'policy', client: null, action: 'policy-choose', subject: 'c@1', before: 'm@1', after: 'c@1', details: 'c@1 estimated ahead' });
    appendAudit(db, { operator: 'alice', client: null, action: 'promote', subject: 'm@1', before: 'c@1', after: 'm@1', details: 'gate pass' });
    const on = choosePolicyStatus({ ...ctx, cfg: { ...config, choose: { ...config.choose, auto: true, windows: 3 } } });
    assert.equal(on.auto, true);
    assert.equal(on.windows, 3);
    assert.equal(on.last?.action, 'switch');
    assert.equal(on.last?.from, 'm@1');
    assert.equal(on.last?.to, 'c@1');
    assert.equal(on.last?.reason, 'c@1 estimated ahead');
    appendAudit(db, { operator: 'policy', client: null, action: 'policy-rollback', subject: 'm@1', before: 'c@1', after: 'm@1', details: 'labels disagree' });
    const back = choosePolicyStatus(ctx);
    assert.equal(back.last?.action, 'rollback');
    assert.deepEqual([back.last?.from, back.last?.to], ['c@1', 'm@1']);
  } finally {
    db.close();
  }
  // The headless snapshot (`mlops-tui snapshot --json`) carries it too.
  const s = await headlessSnapshot(config);
  assert.equal(s.choosePolicy?.last?.action, 'rollback');
  assert.equal(s.choosePolicy?.auto, false);
});

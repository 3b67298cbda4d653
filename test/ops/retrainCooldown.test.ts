/**
 * Retrains an operator starts — from the CLI (`mlops-tui retrain`, queued) or from the console
 * (its engine's Operations) — count against the retrain policy's cooldown and daily maximum:
 * a concept-drift detector firing right after is held back, and the audit trail says why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { syntheticStore } from '../registry/storeFixture.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import { Engine } from '../../src/engine/engine.js';
import { Operations } from '../../src/engine/operations.js';
import { RetrainPolicy } from '../../src/retrain/policy.js';
import { syncPolicy } from '../../src/ops/retrain.js';
import { openDb } from '../../store/db.js';
import { auditTrail } from '../../store/audit.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function store(): { dir: string; dbPath: string; config: Config } {
  const dir = tempDir();
  const dbPath = join(dir, 'mlops.db');
  syntheticStore(dbPath, [{ name: 'm', noise: 1, alias: 'active' }], { rows: 300 }).close();
  const config: Config = {
    ...DEFAULT_CONFIG, db: dbPath, watch: join(dir, 'predictions'),
    retrain: { ...DEFAULT_CONFIG.retrain, onDetector: true, cooldownMinutes: 60, maxPerDay: 4 },
  };
  return { dir, dbPath, config };
}

test('a retrain queued with the CLI holds back the policy for the cooldown', async () => {
  const { dir, dbPath, config } = store();
  const policy = new RetrainPolicy(config.retrain);
  const db = openDb(dbPath);
  try {
    syncPolicy({ db, cfg: config, operator: { operator: 'test', client: null } }, policy, Date.now());
    assert.equal(policy.cooldownLeft(Date.now()), 0, 'nothing retrained yet');
  } finally {
    db.close();
  }
  const r = await cli(['--db', dbPath, 'retrain', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).status, 'queued');

  const db2 = openDb(dbPath);
  try {
    const now = Date.now();
    syncPolicy({ db: db2, cfg: config, operator: { operator: 'test', client: null } }, policy, now);
    const d = policy.onDetector(now, 'adwin');
    assert.ok(d);
    assert.equal(d.retrain, false);
    assert.equal(d.suppressed, 'cooldown');
    assert.match(d.reason, /cooldown for another (59|60) min/);
  } finally {
    db2.close();
  }
});

test('a retrain started from the console counts against the cooldown, and one from the CLI against the daily maximum', async () => {
  const { dir, dbPath, config } = store();
  const engine = new Engine({ config, ingest: false });
  const ops = new Operations(engine, config);
  try {
    const started = await ops.retrain();
    assert.equal(started.ok, true, started.message);
    engine.emit('detector', 'adwin', 'm@1');
    const held = auditTrail(engine.db, 10).find((a) => a.action === 'policy-held');
    assert.ok(held, 'the detector was held back');
    assert.match(held.details ?? '', /adwin fired; no retrain: cooldown/);
    assert.equal(auditTrail(engine.db, 10).filter((a) => a.action === 'policy-retrain').length, 0);
  } finally {
    ops.close();
    await engine.stop();
  }

  // no cooldown, at most one retrain a day: the CLI's retrain uses up the day
  const daily: Config = { ...config, retrain: { ...config.retrain, cooldownMinutes: 0, maxPerDay: 2 } };
  const r = await cli(['--db', dbPath, 'retrain'], dir);
  assert.equal(r.code, 0, r.stderr);
  const engine2 = new Engine({ config: daily, ingest: false });
  const ops2 = new Operations(engine2, daily);
  try {
    engine2.emit('detector', 'ddm', 'm@1');
    const held = auditTrail(engine2.db, 10).find((a) => a.action === 'policy-held');
    assert.ok(held, 'held by the daily maximum');
    assert.match(held.details ?? '', /no retrain: 2 in the last 24 h \(maximum 2\)/);
  } finally {
    ops2.close();
    await engine2.stop();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { openDb } from '../../store/db.js';
import { auditTrail } from '../../store/audit.js';
import { readGateState } from '../../store/gateState.js';
import { listModels } from '../../store/registry.js';
import { syntheticStore } from '../registry/storeFixture.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');

interface Run { code: number; stdout: string; stderr: string }

function cli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, USER: 'carol', SSH_CONNECTION: '192.0.2.4 5022 192.0.2.1 22' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function setup(): string {
  const dir = tempDir();
  const db = syntheticStore(join(dir, 'mlops.db'), [{ name: 'old', noise: 1.5, alias: 'active' }, { name: 'new', noise: 0.3, alias: 'shadow' }], { rows: 16000, seed: 4 });
  db.close();
  writeFileSync(join(dir, 'mlops.config.json'), JSON.stringify({ db: join(dir, 'mlops.db'), gate: { condition: 'n - o > 0.01 +/- 0.05', evaluations: 4, heldOutShare: 0.5 } }));
  return dir;
}

test('two concurrent promote processes leave exactly one switch and a consistent registry', async () => {
  const dir = setup();
  const [a, b] = await Promise.all([cli(['promote', 'new@1', '--yes', '--json'], dir), cli(['promote', 'new@1', '--yes', '--json'], dir)]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const outs = [a, b].map((r) => JSON.parse(r.stdout) as { changed: boolean; message: string });
  assert.equal(outs.filter((o) => o.changed).length, 1, 'one process switched');
  assert.match(outs.find((o) => !o.changed)?.message ?? '', /already active/);
  const db = openDb(join(dir, 'mlops.db'), { readonly: true });
  const models = listModels(db);
  assert.deepEqual(models.map((m) => `${m.name}@${m.version}:${m.alias}`).sort(), ['new@1:active', 'old@1:shadow']);
  const promotions = auditTrail(db, 50).filter((r) => r.action === 'promote');
  assert.equal(promotions.length, 1);
  assert.equal(promotions[0].operator, 'carol');
  assert.equal(promotions[0].client, '192.0.2.4');
  assert.equal(readGateState(db, 'new@1', 'old@1').evaluationsUsed, 1, 'the budget was spent once');
  db.close();

  const history = await cli(['history', '--json'], dir);
  assert.equal(history.code, 0, history.stderr);
  const rows = JSON.parse(history.stdout) as Array<{ action: string; subject: string; before: string; after: string; details: { gate?: { pass: boolean } } | null }>;
  assert.deepEqual(rows.map((r) => r.action), ['promote', 'register', 'register']);
  assert.equal(rows[0].before, 'old@1');
  assert.equal(rows[0].after, 'new@1');
  assert.equal(rows[0].details?.gate?.pass, true);

  const text = await cli(['history', '--limit', '1'], dir);
  assert.match(text.stdout, /carol@192\.0\.2\.4 +promote +new@1 +old@1 → new@1 +gate passed/);
});

test('promote without a terminal and without --yes refuses in one sentence and changes nothing', async () => {
  const dir = setup();
  const r = await cli(['promote', 'new@1'], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^mlops-tui: not on a terminal, so nothing was asked: pass --yes to promote without confirmation\n$/);
  assert.match(r.stdout, /verdict +pass/);
  const db = openDb(join(dir, 'mlops.db'), { readonly: true });
  assert.equal(readGateState(db, 'new@1', 'old@1').evaluationsUsed, 0);
  assert.equal(auditTrail(db, 10).filter((x) => x.action !== 'register').length, 0);
  db.close();
});

test('a refused promotion exits 1; --force switches; rollback puts the old version back', async () => {
  const dir = tempDir();
  const db = syntheticStore(join(dir, 'mlops.db'), [{ name: 'old', noise: 0.8, alias: 'active' }, { name: 'new', noise: 0.8, alias: 'shadow' }], { rows: 3000, seed: 4 });
  db.close();
  const args = ['--db', join(dir, 'mlops.db')];
  const refused = await cli([...args, 'promote', 'new@1', '--yes'], dir);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /new@1 was not promoted: .*needs \d+ labelled held-out rows, have \d+; --force overrides \(audited\)/);
  const forced = await cli([...args, 'promote', 'new@1', '--yes', '--force'], dir);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /FORCED +new@1 is now active \(was old@1\) by --force/);
  const back = await cli([...args, 'rollback', '--yes'], dir);
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stdout, /old@1 is now active \(was new@1\)/);
  const h = JSON.parse((await cli([...args, 'history', '--json'], dir)).stdout) as Array<{ action: string }>;
  assert.deepEqual(h.map((r) => r.action).slice(0, 2), ['rollback', 'force-promote']);
});

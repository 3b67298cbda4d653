import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { openDb } from '../../store/db.js';
import { auditTrail } from '../../store/audit.js';
import { readGateState } from '../../store/gateState.js';
import { activeModel, registerModel, refOf } from '../../store/registry.js';
import { gatePreview, promoteWithGate, rollback } from '../../src/registry/switch.js';
import { rowsNeeded } from '../../src/compare/gate.js';
import { OPERATOR, syntheticStore, writeSynthetic } from './storeFixture.js';

const GATE = { condition: 'n - o > 0.01 +/- 0.05', reliability: 0.999, evaluations: 2, heldOutShare: 0.5 };
const BETTER = [{ name: 'old', noise: 1.5, alias: 'active' as const }, { name: 'new', noise: 0.3, alias: 'shadow' as const }];
const EQUAL = [{ name: 'old', noise: 0.8, alias: 'active' as const }, { name: 'new', noise: 0.8, alias: 'shadow' as const }];

function setup(models: typeof BETTER, rows: number, on_switch: string | null = null) {
  const dir = tempDir();
  const dbPath = join(dir, 'mlops.db');
  const db = syntheticStore(dbPath, models, { rows, seed: 21 });
  return { dir, db, cfg: { db: dbPath, gate: GATE, on_switch } };
}

test('a gate that passes promotes, audits the figures, spends one evaluation and writes routing.json; rollback goes back', async () => {
  const { dir, db, cfg } = setup(BETTER, 16000);
  assert.equal(rowsNeeded(GATE.condition, 0.999, 2), 6636);
  const preview = gatePreview(db, 'new@1', cfg);
  assert.equal(preview.status, 'evaluated');
  assert.equal(preview.figures?.pass, true);
  assert.equal(readGateState(db, 'new@1', 'old@1').evaluationsUsed, 0, 'a preview spends nothing');
  const held = preview.figures?.heldOutRows ?? 0;
  assert.ok(held > 7500 && held < 8500, `held out ${held} of 16000 at share 0.5`);

  const out = await promoteWithGate(db, 'new@1', cfg, { operator: OPERATOR });
  assert.equal(out.changed, true);
  assert.equal(out.action, 'promote');
  assert.equal(out.before, 'old@1');
  assert.equal(out.after, 'new@1');
  assert.equal(refOf(activeModel(db)!), 'new@1');
  assert.equal(readGateState(db, 'new@1', 'old@1').evaluationsUsed, 1);
  const [row] = auditTrail(db, 1);
  assert.equal(row.action, 'promote');
  const details = JSON.parse(row.details ?? '{}');
  assert.equal(details.gate.pass, true);
  assert.equal(details.gate.heldOutRows, held);
  assert.ok(details.gate.interval[0] > 0.01);

  const routingFile = join(dir, 'routing.json');
  assert.equal(out.routing?.path, routingFile);
  const routing = JSON.parse(readFileSync(routingFile, 'utf8'));
  assert.equal(routing.active, 'new@1');
  assert.deepEqual(routing.shadows, ['old@1']);
  assert.ok(!Number.isNaN(Date.parse(routing.updatedAt)));

  const back = await rollback(db, undefined, cfg, { operator: OPERATOR });
  assert.equal(back.action, 'rollback');
  assert.equal(back.after, 'old@1');
  assert.equal(refOf(activeModel(db)!), 'old@1');
  assert.equal(auditTrail(db, 1)[0].action, 'rollback');
  const after = JSON.parse(readFileSync(routingFile, 'utf8'));
  assert.equal(after.active, 'old@1');
  assert.deepEqual(after.shadows, ['new@1']);
  db.close();
});

test('a gate that fails does not switch but spends; a spent budget refuses until fresh labels restart it', async () => {
  const { db, cfg } = setup(EQUAL, 16000);
  const first = await promoteWithGate(db, 'new@1', cfg, { operator: OPERATOR });
  assert.equal(first.changed, false);
  assert.equal(first.gate?.pass, false);
  assert.equal(first.gate?.refused, null);
  assert.match(first.refusal ?? '', /^fail/);
  assert.equal(refOf(activeModel(db)!), 'old@1');
  assert.equal(readGateState(db, 'new@1', 'old@1').evaluationsUsed, 1);

  await promoteWithGate(db, 'new@1', cfg, { operator: OPERATOR });
  const spent = readGateState(db, 'new@1', 'old@1');
  assert.equal(spent.evaluationsUsed, 2);
  assert.equal(spent.freshAfterLabelId, 16000, 'the spent set is closed at its newest label');

  const refused = await promoteWithGate(db, 'new@1', cfg, { operator: OPERATOR });
  assert.equal(refused.changed, false);
  assert.equal(refused.gate?.refused, 'budget-spent');
  assert.match(refused.refusal ?? '', /wait for fresh labels/);
  assert.equal(readGateState(db, 'new@1', 'old@1').evaluationsUsed, 2, 'a refusal spends nothing');
  assert.equal(auditTrail(db, 10).filter((r) => r.action === 'promote').length, 0);

  // fresh traffic with labels: the budget restarts on the new held-out rows only
  writeSynthetic(db, EQUAL, { rows: 16000, start: 16000, seed: 22 });
  const again = await promoteWithGate(db, 'new@1', cfg, { operator: OPERATOR });
  assert.equal(again.gate?.budgetRestarted, true);
  assert.equal(again.gate?.refused, null);
  assert.ok((again.gate?.heldOutRows ?? 0) < 9000, 'only labels newer than the spent set count');
  assert.equal(readGateState(db, 'new@1', 'old@1').evaluationsUsed, 1);
  db.close();
});

test('too few held-out rows: refused without spending; --force promotes and audits force-promote with the figures', async () => {
  const { db, cfg } = setup(BETTER, 1000);
  const out = await promoteWithGate(db, 'new@1', cfg, { operator: OPERATOR });
  assert.equal(out.changed, false);
  assert.equal(out.gate?.refused, 'not-enough-rows');
  assert.match(out.refusal ?? '', /needs 6636 labelled held-out rows/);
  assert.equal(readGateState(db, 'new@1', 'old@1').evaluationsUsed, 0);

  const forced = await promoteWithGate(db, 'new@1', cfg, { force: true, operator: OPERATOR });
  assert.equal(forced.changed, true);
  assert.equal(forced.action, 'force-promote');
  const [row] = auditTrail(db, 1);
  assert.equal(row.action, 'force-promote');
  assert.equal(row.operator, 'test');
  const details = JSON.parse(row.details ?? '{}');
  assert.equal(details.forced, true);
  assert.equal(details.gate.pass, false);
  assert.equal(details.gate.refused, 'not-enough-rows');
  // rollback knows a force-promote is a switch
  const back = await rollback(db, 'old', cfg, { operator: OPERATOR });
  assert.equal(back.after, 'old@1');
  db.close();
});

test('the on_switch hook gets the event as JSON on stdin; a failing or hanging hook does not undo the switch', async () => {
  const dir = tempDir();
  const eventFile = join(dir, 'event.json');
  const { db, cfg } = setup(BETTER, 16000, `cat > '${eventFile}'`);
  const out = await promoteWithGate(db, 'new@1', cfg, { operator: { operator: 'alice', client: '10.0.0.7' } });
  assert.equal(out.hook?.ok, true);
  const event = JSON.parse(readFileSync(eventFile, 'utf8'));
  assert.equal(event.action, 'promote');
  assert.equal(event.before, 'old@1');
  assert.equal(event.after, 'new@1');
  assert.equal(event.operator, 'alice');
  assert.equal(event.client, '10.0.0.7');
  assert.deepEqual(event.routing, { active: 'new@1', shadows: ['old@1'] });
  assert.equal(event.gate.pass, true);

  const failing = await rollback(db, undefined, { ...cfg, on_switch: 'echo broken >&2; exit 3' }, { operator: OPERATOR });
  assert.equal(failing.changed, true);
  assert.equal(failing.hook?.ok, false);
  assert.equal(failing.hook?.code, 3);
  assert.match(failing.hook?.message ?? '', /exited with 3: broken/);
  assert.equal(refOf(activeModel(db)!), 'old@1');

  const started = Date.now();
  const hanging = await rollback(db, undefined, { ...cfg, on_switch: 'sleep 30' }, { operator: OPERATOR, hookTimeoutMs: 300 });
  assert.equal(hanging.changed, true);
  assert.equal(hanging.hook?.timedOut, true);
  assert.ok(Date.now() - started < 5000);
  db.close();
});

test('promoting with nothing active needs no gate; promoting the active version changes nothing', async () => {
  const dir = tempDir();
  const dbPath = join(dir, 'x', 'mlops.db');
  const db = openDb(dbPath);
  registerModel(db, { name: 'm', type: 'logreg', task: 'binary', artifact: '{}', weights: Buffer.alloc(0), metrics: {}, alias: 'shadow' }, OPERATOR);
  const cfg = { db: dbPath, gate: GATE, on_switch: null };
  const out = await promoteWithGate(db, 'm', cfg, { operator: OPERATOR });
  assert.equal(out.changed, true);
  assert.equal(out.gate, null);
  assert.ok(existsSync(join(dir, 'x', 'routing.json')));
  const same = await promoteWithGate(db, 'm@1', cfg, { operator: OPERATOR });
  assert.equal(same.changed, false);
  assert.match(same.message, /already active/);
  await assert.rejects(promoteWithGate(db, 'm@7', cfg, { operator: OPERATOR }), /no model m@7/);
  db.close();
});

test('two processes calling promoteWithGate at the same instant: one switch, one evaluation spent', async () => {
  const { execFile } = await import('node:child_process');
  const { db, cfg } = setup(BETTER, 16000);
  db.close();
  const root = join(import.meta.dirname, '..', '..');
  const startAt = Date.now() + 1500;
  const script = `
    import { openDb } from './store/db.ts';
    import { promoteWithGate } from './src/registry/switch.ts';
    const db = openDb(${JSON.stringify(cfg.db)});
    while (Date.now() < ${startAt}) await new Promise((r) => setTimeout(r, 1));
    const out = await promoteWithGate(db, 'new@1', ${JSON.stringify(cfg)}, { operator: { operator: 'p' + process.pid, client: null } });
    process.stdout.write(JSON.stringify({ changed: out.changed, message: out.message, evaluated: out.gate !== null }));
  `;
  const run = (): Promise<{ changed: boolean; message: string; evaluated: boolean }> => new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr || err.message));
      else resolve(JSON.parse(stdout));
    });
  });
  const outs = await Promise.all([run(), run()]);
  assert.equal(outs.filter((o) => o.changed).length, 1);
  const loser = outs.find((o) => !o.changed);
  assert.match(loser?.message ?? '', /already active/);
  assert.equal(loser?.evaluated, false, 'the second process re-read the registry after the first committed');
  const check = openDb(cfg.db, { readonly: true });
  assert.equal(refOf(activeModel(check)!), 'new@1');
  assert.equal(auditTrail(check, 50).filter((r) => r.action === 'promote').length, 1);
  assert.equal(readGateState(check, 'new@1', 'old@1').evaluationsUsed, 1);
  check.close();
});

test('gate.bound bernstein: the discordant counts reach the gate, which decides on rows Hoeffding refuses, and the figures name the bound', async () => {
  const BERNSTEIN = { ...GATE, bound: 'bernstein' as const };
  const { db, cfg } = setup(BETTER, 7000);
  const hoeffding = gatePreview(db, 'new@1', cfg).figures!;
  assert.equal(hoeffding.bound, 'hoeffding');
  assert.equal(hoeffding.refused, 'not-enough-rows');
  assert.equal(hoeffding.variance, null);

  const preview = gatePreview(db, 'new@1', { gate: BERNSTEIN }).figures!;
  const { b, c } = preview.discordant;
  const rows = preview.heldOutRows;
  assert.equal(preview.bound, 'bernstein');
  assert.ok(rows < 6636 && preview.needRows < rows, `held out ${rows}, Bernstein needs ${preview.needRows}`);
  // the counts are the per-row difference's: its mean is n − o, its variance follows from b + c
  assert.ok(Math.abs((b - c) / rows - (preview.n - preview.o)) < 1e-12);
  assert.ok(Math.abs(preview.variance! - (b + c - (b - c) ** 2 / rows) / (rows - 1)) < 1e-12);
  assert.equal(preview.pass, true, preview.message);
  assert.match(preview.message, /empirical Bernstein, reliability 0\.999/);

  const out = await promoteWithGate(db, 'new@1', { ...cfg, gate: BERNSTEIN }, { operator: OPERATOR });
  assert.equal(out.changed, true, out.message);
  const details = JSON.parse(auditTrail(db, 1)[0].details ?? '{}');
  assert.equal(details.gate.bound, 'bernstein');
  assert.deepEqual(details.gate.discordant, { b, c });
  db.close();

  // equally good models: Bernstein on the same number of rows does not pass
  const equal = setup(EQUAL, 7000);
  const same = await promoteWithGate(equal.db, 'new@1', { ...equal.cfg, gate: BERNSTEIN }, { operator: OPERATOR });
  assert.equal(same.changed, false);
  assert.equal(same.gate?.refused, null);
  assert.equal(same.gate?.pass, false);
  assert.match(same.refusal ?? '', /^fail: .*empirical Bernstein/);
  equal.db.close();
});

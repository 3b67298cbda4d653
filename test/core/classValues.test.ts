/**
 * One class rule: labels logged as `true`/`false` (and as the strings "true"/"false") and
 * predictions logged as 1/0 (one model) and as the strings "1"/"0" (the other) are the same
 * classes for training, the live engine's snapshot, `compare --json` and the promotion gate,
 * so all four report the same accuracy for the same requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { mulberry32, normalSampler } from '../../src/util/random.js';
import { trainModel } from '../../src/models/train.js';
import { predictProbabilities } from '../../src/models/scoring.js';
import { classesOf, classIndexer, classKey } from '../../src/core/classes.js';
import { isHeldOut } from '../../src/compare/heldOut.js';
import { openDb } from '../../store/db.js';
import { registerModel } from '../../store/registry.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import { Engine } from '../../src/engine/engine.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('the class rule: booleans, "true"/"false", numbers and numeric strings', () => {
  assert.equal(classKey(true)?.key, classKey(1)?.key);
  assert.equal(classKey('true')?.key, classKey('1')?.key);
  assert.equal(classKey(' 1.0 ')?.key, classKey(1)?.key);
  assert.equal(classKey(false)?.key, classKey('0')?.key);
  assert.equal(classKey('')?.key, undefined);
  assert.deepEqual(classesOf([true, 'false', 1, '0']), [0, 1]);
  assert.deepEqual(classesOf(['no', 'yes', ' yes']), ['no', 'yes']);
  const index = classIndexer([0, 1]);
  assert.deepEqual([true, 'TRUE', 1, '1', false, 'false', 0, '0.0', 'maybe', null].map(index), [1, 1, 1, 1, 0, 0, 0, 0, -1, -1]);
});

test('labels true/false and predictions 1/0 or "1"/"0": training, the engine snapshot, compare --json and the gate agree on accuracy', async () => {
  const rng = mulberry32(11);
  const normal = normalSampler(rng);
  const row = (i: number): Record<string, unknown> => {
    const x = normal();
    const z = normal();
    const y = rng() < 1 / (1 + Math.exp(-(1.2 * x + 0.8 * z))) ;
    // booleans mostly, the strings "true"/"false" on every fifth row
    return { x, z, y: i % 5 === 0 ? String(y) : y };
  };
  const fit = Array.from({ length: 800 }, (_, i) => row(i));
  const held = Array.from({ length: 900 }, (_, i) => row(i));
  const active = await trainModel(fit, { type: 'logreg', label: 'y', schema: { x: 'numeric' }, holdout: held, epochs: 3, seed: 1 });
  const shadow = await trainModel(fit, { type: 'logreg', label: 'y', schema: { x: 'numeric', z: 'numeric' }, holdout: held, epochs: 3, seed: 2 });
  assert.deepEqual(active.classes, [0, 1], 'true/false labels train as the classes 0 and 1');
  const scores = (m: typeof active) => Array.from(predictProbabilities(m.model, m.encoder, held).probs);
  const sa = scores(active);
  const ss = scores(shadow);
  active.model.dispose();
  shadow.model.dispose();

  const dir = tempDir();
  const logs = join(dir, 'predictions');
  mkdirSync(logs);
  const dbPath = join(dir, 'mlops.db');
  const db = openDb(dbPath);
  const op = { operator: 'test', client: null };
  registerModel(db, { name: 'active', type: 'logreg', task: 'binary', artifact: '{}', weights: Buffer.alloc(0), metrics: {}, alias: 'active' }, op);
  registerModel(db, { name: 'shadow', type: 'logreg', task: 'binary', artifact: '{}', weights: Buffer.alloc(0), metrics: {}, alias: 'shadow' }, op);
  db.close();
  const t0 = Date.UTC(2001, 0, 1);
  const lines: string[] = [];
  held.forEach((r, i) => {
    const ts = t0 + i * 60_000;
    const features = { x: r.x, z: r.z };
    // the active model logs numbers, the shadow strings
    lines.push(JSON.stringify({ ts, id: `r-${i}`, model: 'active', version: 1, features, prediction: sa[i]! >= 0.5 ? 1 : 0, score: sa[i] }));
    lines.push(JSON.stringify({ ts, id: `r-${i}`, model: 'shadow', version: 1, features, prediction: ss[i]! >= 0.5 ? '1' : '0', score: ss[i] }));
  });
  held.forEach((r, i) => lines.push(JSON.stringify({ ts: t0 + i * 60_000 + 1000, id: `r-${i}`, label: r.y })));
  writeFileSync(join(logs, 'predictions.jsonl'), `${lines.join('\n')}\n`);
  const config: Config = { ...DEFAULT_CONFIG, db: dbPath, watch: logs, gate: { ...DEFAULT_CONFIG.gate, heldOutShare: 0.5 } };
  writeFileSync(join(dir, 'mlops.config.json'), JSON.stringify({ db: dbPath, watch: logs, gate: { heldOutShare: 0.5 } }));

  const ingest = await cli(['ingest', '--once', '--quiet'], dir);
  assert.equal(ingest.code, 0, ingest.stderr);

  // the engine over the database, as the console runs it
  const engine = new Engine({ config, ingest: false });
  await engine.start();
  await engine.caughtUp();
  const snap = engine.current()!;
  await engine.stop();
  const pair = snap.pairs.find((p) => p.candidate === 'shadow@1' && p.active === 'active@1');
  assert.ok(pair, 'the engine pairs the shadow with the active model');
  assert.equal(pair.labelled, held.length);
  assert.ok(Math.abs(pair.accActive! - active.metrics.accuracy) < 1e-12, `engine ${pair.accActive} vs training ${active.metrics.accuracy}`);
  assert.ok(Math.abs(pair.accCandidate! - shadow.metrics.accuracy) < 1e-12, `engine ${pair.accCandidate} vs training ${shadow.metrics.accuracy}`);
  const traffic = snap.traffic.find((t) => t.model === 'active@1')!;
  assert.ok(Math.abs(traffic.accuracy! - active.metrics.accuracy) < 1e-12, 'the rolling accuracy covers the same rows');

  const compared = await cli(['compare', '--json'], dir);
  assert.equal(compared.code, 0, compared.stderr);
  const [c] = JSON.parse(compared.stdout);
  assert.equal(c.labelled, held.length);
  assert.ok(Math.abs(c.models.baseline.accuracy - active.metrics.accuracy) < 1e-12, `compare ${c.models.baseline.accuracy} vs training ${active.metrics.accuracy}`);
  assert.ok(Math.abs(c.models.candidate.accuracy - shadow.metrics.accuracy) < 1e-12);
  assert.equal(c.agreementRate, pair.agreement);

  // the gate: the same rule on the held-out half of the requests
  const index = classIndexer(active.classes);
  let rows = 0, nRight = 0, oRight = 0;
  held.forEach((r, i) => {
    if (!isHeldOut(`r-${i}`, 0.5)) return;
    rows++;
    const y = index(r.y);
    if (index(ss[i]! >= 0.5 ? '1' : '0') === y) nRight++;
    if (index(sa[i]! >= 0.5 ? 1 : 0) === y) oRight++;
  });
  assert.ok(rows > 300);
  assert.equal(c.gate.heldOutRows, rows);
  assert.ok(Math.abs(c.gate.n - nRight / rows) < 1e-12, `gate n ${c.gate.n} vs ${nRight / rows}`);
  assert.ok(Math.abs(c.gate.o - oRight / rows) < 1e-12, `gate o ${c.gate.o} vs ${oRight / rows}`);
});

/**
 * The retrain loop on a stream with a known concept switch (SEA concepts, Street & Kim 2001),
 * all the way through real prediction logs, ingest and SQLite:
 *   1. sea@1 is trained on concept θ = 8 and serves; its predictions and the (10 % noisy)
 *      labels are logged for 2,000 requests of θ = 8, then 8,000 after the switch to θ = 9.5;
 *   2. a JobRunner retrain on the post-switch labelled rows (never on the gate's held-out
 *      requests) registers sea@2 as a shadow;
 *   3. both versions score the next requests (still θ = 9.5), logged and ingested;
 *   4. the shadow comparison (McNemar) calls sea@2 significantly better, and the promotion gate
 *      passes it.
 * Expected sizes: a rule f1 + f2 ≤ 8 is wrong on P(8 < f1 + f2 ≤ 9.5) = 13 % of θ = 9.5 rows,
 * so with 10 % label noise sea@1 is right on about 0.9 − 0.8·0.13 ≈ 0.795 and a model of the
 * new concept on about 0.9: a difference near 0.1. Gate: `n - o > 0 +/- 0.03` at reliability
 * 0.99 over one evaluation needs 11,775 held-out rows (the default ±0.01 at 0.999 needs
 * 152,019); with half the requests held out, 24,000 evaluation requests give about 12,000.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDb } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { findModel } from '../../store/registry.js';
import { comparePairFromStore } from '../../src/compare/fromStore.js';
import { isHeldOut } from '../../src/compare/heldOut.js';
import { rowsNeeded } from '../../src/compare/gate.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import { IngestService } from '../../src/ingest/ingestService.js';
import { loadPredictor } from '../../src/models/predictor.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { loadArtifact, saveArtifact } from '../../src/registry/saveArtifact.js';
import { promoteWithGate } from '../../src/registry/switch.js';
import { JobRunner } from '../../src/retrain/jobRunner.js';
import { scoredLogLines, SEA_SCHEMA, seaStream } from '../helpers/sea.js';
import { tempDir } from '../helpers/tmp.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const OPERATOR = { operator: 'test', client: null };
const TUNING = { epochs: 40, patience: 4, learningRate: 0.05, batchSize: 256 };

test('SEA concepts: a retrain on post-switch labels beats the pre-switch model and passes the gate', async () => {
  const dir = tempDir();
  const logs = join(dir, 'logs');
  const cfg: Config = structuredClone(DEFAULT_CONFIG);
  cfg.db = join(dir, 'mlops.db');
  cfg.gate = { condition: 'n - o > 0 +/- 0.03', reliability: 0.99, evaluations: 1, heldOutShare: 0.5 };
  assert.equal(rowsNeeded(cfg.gate.condition, cfg.gate.reliability, 1), 11_775);
  const db = openDb(cfg.db);
  const ingest = new IngestService(new IngestStore(db), { dir: logs });

  // 1. The pre-switch model, serving θ = 8 then θ = 9.5.
  const before = await trainArtifact(seaStream([{ theta: 8, rows: 6000 }], 1).map((r) => ({ ...r })), { type: 'logreg', label: 'y', schema: SEA_SCHEMA, ...TUNING });
  assert.ok(before.metrics.accuracy > 0.85, `sea@1 fits its concept (accuracy ${before.metrics.accuracy})`);
  saveArtifact(db, 'sea', before, OPERATOR, 'active');
  const v1 = await loadPredictor(before);
  const stream = seaStream([{ theta: 8, rows: 2000 }, { theta: 9.5, rows: 8000 }], 2);
  const switchAt = T0 + 2000 * 1000;
  const { mkdirSync } = await import('node:fs');
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, 'a.jsonl'), `${scoredLogLines(stream, [{ name: 'sea', version: 1, predictor: v1 }], { prefix: 'r-', start: 0, t0: T0 }).join('\n')}\n`);
  await ingest.scanOnce();
  assert.equal(ingest.totals.predictions, 10_000);
  assert.equal(ingest.totals.labels, 10_000);

  // 2. Retrain on the labelled rows since the switch.
  const runner = new JobRunner({ db, config: cfg, operator: OPERATOR, pollMs: 0, tuning: TUNING });
  const epochs: number[] = [];
  runner.subscribe((e) => { if (e.kind === 'progress' && e.progress.phase === 'epoch') epochs.push(e.progress.epoch); });
  const id = runner.start({ model: 'sea', since: switchAt });
  const job = await runner.wait(id);
  assert.equal(job.status, 'done', job.error ?? job.log);
  assert.equal(job.result, 'sea@2');
  assert.ok(epochs.length >= 1 && job.epoch === epochs[epochs.length - 1], 'progress per epoch reached the row');
  const v2info = findModel(db, 'sea', 2)!;
  assert.equal(v2info.alias, 'shadow');
  const after = loadArtifact(db, v2info.id);
  // Trained only on post-switch rows that are not held out; measured only on held-out ones.
  let heldOut = 0;
  for (let i = 2000; i < 10_000; i++) if (isHeldOut(`r-${i}`, 0.5)) heldOut++;
  assert.equal(after.trainedOn.rows, 8000 - heldOut);
  assert.equal(after.trainedOn.holdoutRows, heldOut);
  assert.equal(job.metrics?.rows, heldOut);
  assert.equal(job.metrics?.gateHeldOut, true);
  assert.equal(after.trainedOn.from, new Date(switchAt).toISOString());
  // Its reference profile is its own training data: f1 + f2 now reaches 9.5 for positives.
  assert.equal(after.profile.rows, after.trainedOn.rows);
  await runner.close();

  // 3. Both versions score what comes next.
  const v2 = await loadPredictor(after);
  const next = seaStream([{ theta: 9.5, rows: 24_000 }], 3);
  const t1 = T0 + 10_000 * 1000;
  writeFileSync(join(logs, 'b.jsonl'), `${scoredLogLines(next, [{ name: 'sea', version: 1, predictor: v1 }, { name: 'sea', version: 2, predictor: v2 }], { prefix: 'r-', start: 10_000, t0: t1 }).join('\n')}\n`);
  await ingest.scanOnce();
  v1.dispose();
  v2.dispose();

  // 4. The shadow comparison and the gate.
  const cmp = comparePairFromStore(db, { name: 'sea', version: 2 }, { name: 'sea', version: 1 }, { since: t1 });
  assert.equal(cmp.labelled, 24_000);
  assert.equal(cmp.verdict, 'better');
  assert.ok(cmp.mcnemar!.pValue < 1e-50, `McNemar p ${cmp.mcnemar!.pValue}`);
  assert.ok(cmp.models.candidate.accuracy > 0.87 && cmp.models.baseline.accuracy < 0.82, JSON.stringify([cmp.models.candidate.accuracy, cmp.models.baseline.accuracy]));
  const outcome = await promoteWithGate(db, 'sea@2', cfg, { operator: OPERATOR, routingPath: null });
  assert.ok(outcome.gate, 'the gate was evaluated');
  assert.ok(outcome.gate.heldOutRows >= 11_775, `held-out rows ${outcome.gate.heldOutRows}`);
  assert.equal(outcome.gate.pass, true, outcome.gate.message);
  assert.equal(outcome.changed, true);
  assert.equal(findModel(db, 'sea', 2)!.alias, 'active');
  console.log(`SEA: sea@1 ${cmp.models.baseline.accuracy.toFixed(4)} vs sea@2 ${cmp.models.candidate.accuracy.toFixed(4)} on ${cmp.labelled} rows, McNemar log10 p ${(cmp.mcnemar!.logPValue / Math.LN10).toFixed(1)}; gate ${outcome.gate.message}`);
  db.close();
});

/**
 * Multiclass CBPE stands on the model's own reference, as binary does (issue 12): at training
 * the one-vs-rest calibrators are fitted on the held-out rows and stored with the artifact; the
 * live engine and `compare` both estimate with them (they calibrated on the first labelled rows
 * served before). Real tfjs models on a three-class problem, a real store and the real engine.
 *
 * The served traffic starts with a day of one class only (the first rows served, which is what
 * the old calibration used, hold no row of the other two). On the held-out calibrators the
 * realised accuracy of each day lies inside the estimate's band and within 3 points of it (the
 * estimate runs 0.6–2.1 points high: one-vs-rest isotonic fits on 4,000 rows are a little
 * sharp), and the engine's per-window figures equal compare's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { currentOperator } from '../../store/audit.js';
import { IngestStore } from '../../store/ingestStore.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { comparePairFromStore } from '../../src/compare/fromStore.js';
import { initBackend } from '../../src/models/backend.js';
import { loadPredictor } from '../../src/models/predictor.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { saveArtifact } from '../../src/registry/saveArtifact.js';
import { mulberry32 } from '../../src/util/random.js';
import { runEngine } from '../helpers/flightsStream.js';
import { tempDir } from '../helpers/tmp.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2001, 0, 1);
const NAMES = ['low', 'mid', 'high'];
const SCHEMA = { x: 'numeric', tag: 'categorical' } as const;

/** Three classes along x with overlap, and a noisy tag; `only` draws one class. */
function rows(n: number, seed: number, only: number | null = null): Array<{ x: number; tag: string; y: string }> {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const k = only ?? Math.floor(rng() * 3);
    return { x: k * 2 + (rng() - 0.5) * 3, tag: rng() < 0.6 ? `t${k}` : `t${Math.floor(rng() * 3)}`, y: NAMES[k]! };
  });
}

test('multiclass CBPE: one held-out calibrator for the engine and compare, close to the realised accuracy per day', async () => {
  await initBackend();
  const train = rows(20000, 1);
  const logreg = await trainArtifact(train, { type: 'logreg', label: 'y', schema: { ...SCHEMA }, epochs: 10, learningRate: 0.03 });
  const mlp = await trainArtifact(train, { type: 'mlp', label: 'y', schema: { ...SCHEMA }, epochs: 5, learningRate: 0.03 });
  for (const a of [logreg, mlp]) {
    assert.equal(a.cbpe?.calibrator.kind, 'cbpe-multiclass');
    assert.equal(a.cbpe?.source, 'training-holdout');
    assert.equal(a.cbpe?.rows, 4000);
  }

  const dir = tempDir();
  const config = structuredClone(DEFAULT_CONFIG);
  config.db = join(dir, 'mc.db');
  config.watch = join(dir, 'logs');
  const db = openDb(config.db);
  // Day 0: only the easy class (x far from the others); days 1–2: all three.
  const live = [...rows(1500, 2, 0), ...rows(1500, 3), ...rows(1500, 4)];
  try {
    saveArtifact(db, 'mc', logreg, currentOperator());
    saveArtifact(db, 'mc-mlp', mlp, currentOperator(), 'shadow');
    const store = new IngestStore(db);
    const file = store.registerFile('mc.jsonl', 'i', 'h', 0, false);
    const preds = [];
    const labels = [];
    for (const [name, artifact] of [['mc', logreg], ['mc-mlp', mlp]] as const) {
      const p = await loadPredictor(artifact);
      const out = p.predict(live);
      for (let i = 0; i < live.length; i++) {
        const ts = T0 + Math.floor(i / 1500) * DAY + (i % 1500) * 50_000;
        preds.push({ kind: 'prediction' as const, ts, id: `q${i}`, model: name, version: 1, features: { x: live[i]!.x, tag: live[i]!.tag }, prediction: out.prediction[i]!, score: null, scores: (out.score as Record<string, number>[])[i]! });
      }
      p.dispose();
    }
    for (let i = 0; i < live.length; i++) labels.push({ kind: 'label' as const, ts: T0 + Math.floor(i / 1500) * DAY + (i % 1500) * 50_000 + 3_600_000, id: `q${i}`, label: live[i]!.y });
    store.commitBatch(file, 0, 0, preds, labels, []);
  } finally {
    db.close();
  }

  const { engine } = await runEngine(config, { ingest: false });
  const snapshot = engine.current()!;
  await engine.stop();
  const check = openDb(config.db);
  const cmp = comparePairFromStore(check, { name: 'mc-mlp', version: 1 }, { name: 'mc', version: 1 });
  check.close();
  assert.equal(cmp.task, 'multiclass');
  for (const side of ['candidate', 'baseline'] as const) {
    const m = cmp.models[side];
    const e = m.estimated!;
    assert.ok(e, `${m.ref} has an estimate`);
    assert.equal(e.reference.source, 'training-holdout');
    const liveWindows = snapshot.estimates.find((x) => x.model === m.ref)!.windows;
    assert.equal(e.windows!.length, 3);
    e.windows!.forEach((w, i) => {
      const l = liveWindows[i]!;
      assert.equal(w.start, l.start);
      assert.ok(w.estimated !== null && Math.abs(w.estimated - l.estimated!) < 1e-12, `${m.ref} day ${i}: compare ${w.estimated} vs engine ${l.estimated}`);
      assert.ok(Math.abs(w.realised! - l.realised!) < 1e-12);
      // Each day the labels land inside the estimate's band (±3 sampling errors), within 3 points.
      assert.ok(w.band![0] <= w.realised! && w.realised! <= w.band![1], `${m.ref} day ${i}: realised ${w.realised} outside [${w.band}]`);
      assert.ok(Math.abs(w.estimated - w.realised!) < 0.03, `${m.ref} day ${i}: estimated ${w.estimated} vs realised ${w.realised}`);
    });
    assert.ok(Math.abs(e.accuracyOnLabelled - m.accuracy) < 0.03, `${m.ref}: ${e.accuracyOnLabelled} vs ${m.accuracy}`);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, tf } from '../../src/models/backend.js';
import { isAbortError, trainModel } from '../../src/models/train.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { loadPredictor } from '../../src/models/predictor.js';
import { mulberry32 } from '../../src/util/random.js';
import { FLIGHT_SCHEMA, flightsSlice } from './flights.js';

test('backend: one of the supported backends, same answer twice', async () => {
  const a = await initBackend();
  const b = await initBackend();
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(a.name));
  assert.equal(a, b);
  assert.equal(tf.getBackend(), a.name);
});

test('logreg on a flights slice beats chance on the later held-out rows and predicts', async () => {
  const rows = await flightsSlice(10000, 20);
  const epochs: number[] = [];
  const artifact = await trainArtifact(rows, {
    type: 'logreg',
    label: 'delayed',
    time: 'ts',
    schema: FLIGHT_SCHEMA,
    epochs: 6,
    onEpoch: (p) => {
      epochs.push(p.epoch);
      assert.ok(Number.isFinite(p.loss) && Number.isFinite(p.valLoss) && p.etaSeconds >= 0);
    },
  });
  assert.deepEqual(epochs, epochs.map((_, i) => i + 1));
  assert.equal(artifact.task, 'binary');
  assert.deepEqual(artifact.classes, [0, 1]);
  assert.equal(artifact.trainedOn.rows, 8000);
  assert.equal(artifact.trainedOn.holdoutRows, 2000);
  assert.ok(artifact.trainedOn.until! <= artifact.trainedOn.holdoutFrom!, 'held-out rows come after the fitted ones');
  assert.equal(artifact.profile.rows, 8000);
  assert.equal(artifact.profile.columns.origin?.kind, 'categorical');
  const m = artifact.metrics;
  assert.ok(m.auc! > 0.65, `held-out AUC ${m.auc}`);
  assert.ok(m.logLoss < 0.69 && m.accuracy > 0.5, JSON.stringify(m));

  const predictor = await loadPredictor(artifact);
  const out = predictor.predict(rows.slice(-5));
  assert.equal(out.prediction.length, 5);
  for (let i = 0; i < 5; i++) {
    const s = out.score[i] as number;
    assert.ok(s > 0 && s < 1);
    assert.equal(out.prediction[i], s >= 0.5 ? 1 : 0);
  }
  predictor.dispose();
});

/** Three classes separated by x and a category, with some noise. */
function synthetic(n: number, seed: number): Record<string, unknown>[] {
  const rng = mulberry32(seed);
  const names = ['low', 'mid', 'high'];
  return Array.from({ length: n }, () => {
    const k = Math.floor(rng() * 3);
    return { x: k * 2 + (rng() - 0.5) * 2.5, tag: rng() < 0.8 ? `t${k}` : `t${Math.floor(rng() * 3)}`, y: names[k] };
  });
}

test('multiclass: string labels become classes, softmax scores sum to one', async () => {
  const rows = synthetic(3000, 7);
  await initBackend();
  const before = tf.memory().numTensors;
  for (const type of ['logreg', 'mlp'] as const) {
    const trained = await trainModel(rows, { type, label: 'y', schema: { x: 'numeric', tag: 'categorical' }, epochs: 15, learningRate: 0.03 });
    try {
      assert.equal(trained.task, 'multiclass');
      assert.deepEqual(trained.classes, ['high', 'low', 'mid']);
      assert.equal(trained.metrics.auc, undefined);
      assert.ok(trained.metrics.accuracy > 0.8, `${type} accuracy ${trained.metrics.accuracy}`);
    } finally {
      trained.model.dispose();
    }
    assert.equal(tf.memory().numTensors, before, `${type}: training leaves no tensor behind`);
  }
  const artifact = await trainArtifact(rows, { type: 'logreg', label: 'y', schema: { x: 'numeric', tag: 'categorical' }, epochs: 10, learningRate: 0.03 });
  const predictor = await loadPredictor(artifact);
  const { prediction, score } = predictor.predict([{ x: 0, tag: 't0' }, { x: 4, tag: 't2' }, { x: null, tag: 'unseen' }]);
  assert.deepEqual(prediction.slice(0, 2), ['low', 'high']);
  for (const s of score as Record<string, number>[]) {
    assert.deepEqual(Object.keys(s).sort(), ['high', 'low', 'mid']);
    assert.ok(Math.abs(s.high! + s.low! + s.mid! - 1) < 1e-5);
  }
  predictor.dispose();
});

test('cancel: an aborted signal stops training with an AbortError and leaks no tensors', async () => {
  await initBackend();
  const rows = synthetic(4000, 3);
  const before = tf.memory().numTensors;
  const controller = new AbortController();
  await assert.rejects(
    trainModel(rows, {
      type: 'mlp',
      label: 'y',
      schema: { x: 'numeric', tag: 'categorical' },
      epochs: 50,
      batchSize: 64,
      patience: 50,
      signal: controller.signal,
      onEpoch: (p) => {
        if (p.epoch === 2) controller.abort();
      },
    }),
    (e: unknown) => isAbortError(e),
  );
  assert.equal(tf.memory().numTensors, before);
  // Aborting mid-epoch (between batches) works too: the signal fires from a timer.
  const mid = new AbortController();
  setTimeout(() => mid.abort(), 30);
  const started = Date.now();
  await assert.rejects(
    trainModel(rows, { type: 'mlp', label: 'y', schema: { x: 'numeric', tag: 'categorical' }, epochs: 500, batchSize: 16, patience: 500, signal: mid.signal }),
    (e: unknown) => isAbortError(e),
  );
  assert.ok(Date.now() - started < 5000);
  assert.equal(tf.memory().numTensors, before);
});

test('a label with one class is refused', async () => {
  const rows = synthetic(100, 1).map((r) => ({ ...r, y: 'same' }));
  await assert.rejects(trainModel(rows, { type: 'logreg', label: 'y', schema: { x: 'numeric' } }), /at least two classes/);
});

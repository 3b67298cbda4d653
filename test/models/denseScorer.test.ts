/**
 * The JavaScript scorer `serve` uses for one request (src/models/denseScorer.ts) gives the
 * scores tfjs's model.predict gives, for a logistic regression (binary), an MLP (binary) and a
 * multiclass MLP (softmax), on real flights rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/models/backend.js';
import { restoreModel } from '../../src/models/artifact.js';
import { encoderFromState } from '../../src/models/encoder.js';
import { denseLayers, scoreDense } from '../../src/models/denseScorer.js';
import { predictProbabilities } from '../../src/models/scoring.js';
import { loadPredictor, SMALL_BATCH } from '../../src/models/predictor.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { FLIGHT_SCHEMA, flightsSlice } from './flights.js';

test('dense scorer: the same scores as tfjs for logreg, MLP and a multiclass MLP', async () => {
  await initBackend();
  const rows = await flightsSlice(1200);
  // A three-class label from the departure hour: the softmax path.
  const multi = rows.map((r) => ({ ...r, band: Number(r.hour) < 10 ? 'morning' : Number(r.hour) < 17 ? 'day' : 'evening' }));
  const cases = [
    { name: 'logreg', rows, opts: { type: 'logreg' as const, label: 'delayed' } },
    { name: 'mlp', rows, opts: { type: 'mlp' as const, label: 'delayed' } },
    { name: 'multiclass mlp', rows: multi, opts: { type: 'mlp' as const, label: 'band' } },
  ];
  for (const c of cases) {
    const schema = { ...FLIGHT_SCHEMA };
    if (c.opts.label === 'band') delete (schema as Record<string, unknown>).hour;
    const artifact = await trainArtifact(c.rows, { ...c.opts, schema, time: 'ts', epochs: 2 });
    const model = await restoreModel(artifact);
    const encoder = encoderFromState(artifact.encoder);
    const layers = denseLayers(model);
    assert.ok(layers, `${c.name}: every layer is Dense or Dropout`);
    const sample = c.rows.slice(0, 200);
    const ref = predictProbabilities(model, encoder, sample);
    const ours = scoreDense(layers, encoder.transform(sample), sample.length);
    assert.equal(ours.length, ref.probs.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - ref.probs[i]));
    assert.ok(worst < 1e-5, `${c.name}: largest difference from tfjs ${worst}`);
    if (c.opts.label === 'band') assert.equal(ref.width, 3);

    // Through the predictor: one row (JavaScript) and a batch above SMALL_BATCH (tfjs) agree.
    const p = await loadPredictor(artifact);
    const batch = p.predict(sample.slice(0, SMALL_BATCH + 8));
    for (let i = 0; i < 5; i++) {
      const one = p.predict([sample[i]]);
      assert.deepEqual(one.prediction[0], batch.prediction[i]);
      const s1 = one.score[0];
      const s2 = batch.score[i];
      if (typeof s1 === 'number') assert.ok(Math.abs(s1 - (s2 as number)) < 1e-5);
      else for (const k of Object.keys(s1)) assert.ok(Math.abs(s1[k] - (s2 as Record<string, number>)[k]) < 1e-5);
    }
    p.dispose();
    model.dispose();
  }
});

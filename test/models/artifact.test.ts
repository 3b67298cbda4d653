import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/models/backend.js';
import { deserializeArtifact, serializeArtifact } from '../../src/models/artifact.js';
import { loadPredictor } from '../../src/models/predictor.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { FLIGHT_SCHEMA, flightsSlice } from './flights.js';

test('serialize → deserialize gives identical predictions, and predicting leaks no tensors', async () => {
  const rows = await flightsSlice(3000, 10);
  const artifact = await trainArtifact(rows, { type: 'mlp', label: 'delayed', time: 'ts', schema: FLIGHT_SCHEMA, epochs: 3 });
  const { json, weights } = serializeArtifact(artifact);
  assert.ok(Buffer.isBuffer(weights) && weights.byteLength === artifact.weightData.byteLength);
  assert.ok(!json.includes('weightData'));
  // What a SQLite BLOB hands back is a Buffer that may be a view into a larger pool.
  const pooled = Buffer.concat([Buffer.alloc(13), weights]).subarray(13);
  const back = deserializeArtifact(json, pooled);
  assert.deepEqual({ ...back, weightData: null }, { ...JSON.parse(json), weightData: null });

  const a = await loadPredictor(artifact);
  const b = await loadPredictor(back);
  const probe = rows.slice(0, 700); // more than one predict batch when batchSize is small
  const before = tf.memory().numTensors;
  const pa = a.predict(probe);
  const pb = b.predict(probe);
  assert.equal(tf.memory().numTensors, before, 'predict must dispose its tensors');
  assert.deepEqual(pb, pa);
  a.dispose();
  b.dispose();
  assert.equal(tf.memory().numTensors, before - 2 * artifact.weightSpecs.length);

  const small = await loadPredictor(back, 64);
  assert.deepEqual(small.predict(probe), pa, 'batching does not change the results');
  small.dispose();
});

test('deserialize refuses a broken artifact with a clear reason', async () => {
  const rows = await flightsSlice(500, 10);
  const artifact = await trainArtifact(rows, { type: 'logreg', label: 'delayed', schema: FLIGHT_SCHEMA, epochs: 1 });
  const { json, weights } = serializeArtifact(artifact);
  assert.throws(() => deserializeArtifact(json, weights.subarray(4)), /weights are \d+ bytes/);
  assert.throws(() => deserializeArtifact('{', weights), /not valid/);
  const noProfile = JSON.parse(json);
  delete noProfile.profile;
  assert.throws(() => deserializeArtifact(JSON.stringify(noProfile), weights), /missing "profile"/);
});

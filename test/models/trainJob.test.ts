import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPredictor } from '../../src/models/predictor.js';
import { isAbortError } from '../../src/models/train.js';
import { runTrainingInWorker, type TrainProgress } from '../../src/models/trainJob.js';
import { tempDir } from '../helpers/tmp.js';
import { FLIGHT_SCHEMA, flightsSlice } from './flights.js';

test('worker: trains from a CSV path with a time window, reports progress, returns a usable artifact', async () => {
  const rows = await flightsSlice(3000, 20);
  const dir = tempDir();
  const file = join(dir, 'slice.csv');
  const cols = ['ts', 'hour', 'dow', 'distance', 'origin', 'destination', 'delay', 'delayed'];
  writeFileSync(file, [cols.join(','), ...rows.map((r) => cols.map((c) => r[c]).join(','))].join('\n') + '\n');
  const progress: TrainProgress[] = [];
  const artifact = await runTrainingInWorker(
    {
      type: 'logreg',
      label: 'delayed',
      time: 'ts',
      csv: { data: file, features: Object.keys(FLIGHT_SCHEMA), until: '2001-03-01' },
      tuning: { epochs: 3 },
    },
    { onProgress: (p) => progress.push(p) },
  );
  assert.deepEqual(progress.map((p) => p.phase).filter((p, i, a) => a[i - 1] !== p), ['loading', 'training', 'epoch', 'saving']);
  assert.ok(artifact.trainedOn.holdoutUntil! < '2001-03-01');
  assert.deepEqual(artifact.schema, FLIGHT_SCHEMA);
  assert.ok(artifact.weightData instanceof Uint8Array && artifact.weightData.byteLength > 0);
  const predictor = await loadPredictor(artifact);
  const out = predictor.predict(rows.slice(-3));
  assert.equal(out.score.length, 3);
  predictor.dispose();
});

test('worker: cancel rejects with an AbortError and the worker ends', async () => {
  const rows = (await flightsSlice(4000, 20)).map((r) => ({ ...r }));
  const controller = new AbortController();
  const job = runTrainingInWorker(
    { type: 'mlp', label: 'delayed', rows, schema: FLIGHT_SCHEMA, tuning: { epochs: 200, batchSize: 32, patience: 200 } },
    {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'epoch') controller.abort();
      },
    },
  );
  const started = Date.now();
  await assert.rejects(job, (e: unknown) => isAbortError(e));
  assert.ok(Date.now() - started < 10000);
});

test('worker: an error inside training rejects with its message', async () => {
  await assert.rejects(
    runTrainingInWorker({ type: 'logreg', label: 'y', rows: [{ x: 1, y: 'a' }, { x: 2, y: 'a' }], schema: { x: 'numeric' } }),
    /at least two classes/,
  );
  await assert.rejects(runTrainingInWorker({ type: 'logreg', label: 'y' }), /needs either csv or rows/);
});

// Worker-thread entry for a training job. Protocol (see trainJob.ts):
//   in:  workerData = TrainSpec; message { type: 'cancel' }
//   out: { type: 'progress', progress } … then { type: 'done', artifact } or { type: 'error', name, message }
import { parentPort, workerData } from 'node:worker_threads';
import { runTrainSpec } from './runTrainSpec.js';
import type { TrainSpec } from './trainSpec.js';

const port = parentPort;
if (!port) throw new Error('trainWorker.ts must run in a worker thread');

const controller = new AbortController();
port.on('message', (m: { type?: string }) => {
  if (m?.type === 'cancel') controller.abort();
});

try {
  const artifact = await runTrainSpec(workerData as TrainSpec, (progress) => port.postMessage({ type: 'progress', progress }), controller.signal);
  port.postMessage({ type: 'done', artifact }, [artifact.weightData.buffer as ArrayBuffer]);
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  port.postMessage({ type: 'error', name: err.name, message: err.message });
} finally {
  port.close();
}

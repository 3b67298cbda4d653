// Worker-thread entry that scans the current file of an offline drift while the main thread
// profiles the reference (see startCurrentWorker in offline.ts).
//   in:  workerData = CurrentWorkerInput
//   out: { ok: true, columns } (sorted numeric columns transferred, not copied) or { ok: false, budget, message }
import { parentPort, workerData } from 'node:worker_threads';
import { collectCurrentColumns, ExactBudgetExceeded, type CurrentWorkerInput } from './offline.js';
import { setMissingValues } from '../core/values.js';

const port = parentPort;
if (!port) throw new Error('offlineWorker.ts must run in a worker thread');

const input = workerData as CurrentWorkerInput;
try {
  // The same missing tokens as the main thread (module state is per thread).
  setMissingValues(input.missingValues);
  const columns = await collectCurrentColumns(input.path, input.schema, { exactValues: input.exactValues, model: input.model });
  const buffers = Object.values(columns.numerics).map((n) => n.sorted.buffer as ArrayBuffer);
  port.postMessage({ ok: true, columns }, [...new Set(buffers)]);
} catch (e) {
  port.postMessage({ ok: false, budget: e instanceof ExactBudgetExceeded, message: e instanceof Error ? e.message : String(e) });
} finally {
  port.close();
}

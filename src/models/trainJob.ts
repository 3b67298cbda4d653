// Runs a training job in a worker_threads worker so the console never freezes.
// Under tsx the modules are .ts files: the worker then registers tsx's loader itself (resolved
// from this package, so it works from any cwd); from compiled dist/ it is plain .js.
// Cancel: the worker is asked to stop between batches and answers with an AbortError; if it
// does not answer within CANCEL_GRACE_MS it is terminated. Either way nothing is returned.
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../util/moduleWorker.js';
import type { ModelArtifact } from './artifact.js';
import type { TrainProgress, TrainSpec } from './trainSpec.js';

export type { TrainProgress, TrainSpec } from './trainSpec.js';

export const CANCEL_GRACE_MS = 3000;

export interface TrainJobOptions {
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
}

type WorkerMessage =
  | { type: 'progress'; progress: TrainProgress }
  | { type: 'done'; artifact: ModelArtifact }
  | { type: 'error'; name: string; message: string };

function startWorker(spec: TrainSpec): Worker {
  return startModuleWorker(import.meta.url, './trainWorker', spec);
}

function abortError(message = 'training was cancelled'): Error {
  return new DOMException(message, 'AbortError');
}

export function runTrainingInWorker(spec: TrainSpec, options: TrainJobOptions = {}): Promise<ModelArtifact> {
  const { signal, onProgress } = options;
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise<ModelArtifact>((resolve, reject) => {
    const worker = startWorker(spec);
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'cancel' });
      killTimer = setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS);
      killTimer.unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') {
        if (!settled && !signal?.aborted) onProgress?.(m.progress);
      } else if (m.type === 'done') {
        // A result that arrives after a cancel is discarded: cancel means nothing is registered.
        finish(() => (signal?.aborted ? reject(abortError()) : resolve(m.artifact)));
      } else if (m.type === 'error') {
        const err = m.name === 'AbortError' ? abortError(m.message) : new Error(m.message);
        finish(() => reject(err));
      }
    });
    worker.on('error', (e) => finish(() => reject(new Error(`training worker failed: ${e.message}`))));
    worker.on('exit', (code) => {
      if (killTimer) clearTimeout(killTimer);
      finish(() => reject(signal?.aborted ? abortError() : new Error(`training worker exited with code ${code} before finishing`)));
    });
  });
}

// A job as the console's snapshot lists it (src/engine/snapshot.ts), so the engine can pass
// JobRunner.list() through without knowing the table.
import type { JobRow as SnapshotJob } from '../engine/snapshot.js';
import type { JobInfo } from './jobRunner.js';

export function toSnapshotJob(j: JobInfo): SnapshotJob {
  return {
    id: String(j.id),
    model: j.model,
    type: j.type,
    status: j.status,
    epoch: j.epoch,
    epochs: j.epochs,
    loss: j.loss,
    valMetric: j.valMetric,
    valMetricName: j.valMetricName,
    etaSeconds: j.etaSeconds,
    createdAt: j.createdAt,
    result: j.result,
    error: j.error,
    stopped: stopReason(j),
  };
}

/** Why a finished job stopped where it did, in words; null while it runs. */
export function stopReason(j: Pick<JobInfo, 'status' | 'epoch' | 'epochs' | 'error'>): string | null {
  switch (j.status) {
    case 'queued':
    case 'running':
      return null;
    case 'done':
      return j.epoch > 0 && j.epoch < j.epochs
        ? `early stopping at epoch ${j.epoch} of ${j.epochs}: the validation loss stopped improving`
        : `ran all ${j.epochs} epochs`;
    case 'cancelled':
      return `cancelled at epoch ${j.epoch} of ${j.epochs}`;
    case 'interrupted':
      return `interrupted at epoch ${j.epoch} of ${j.epochs}: the process running it stopped`;
    case 'failed':
      return `failed at epoch ${j.epoch} of ${j.epochs}${j.error ? `: ${j.error}` : ''}`;
  }
}

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
  };
}

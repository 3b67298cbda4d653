// Runs one TrainSpec to an artifact in the current thread. The worker calls this; tests and
// scripts may call it directly when a thread is not worth it.
import type { ModelArtifact } from './artifact.js';
import { trainArtifact } from './trainArtifact.js';
import { loadTrainingRows } from './trainFromCsv.js';
import type { TrainProgress, TrainSpec } from './trainSpec.js';

export async function runTrainSpec(
  spec: TrainSpec,
  onProgress: (p: TrainProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<ModelArtifact> {
  let rows: readonly Record<string, unknown>[];
  let schema;
  if (spec.csv) {
    onProgress({ phase: 'loading' });
    const loaded = await loadTrainingRows({ ...spec.csv, label: spec.label, time: spec.time });
    rows = loaded.rows;
    schema = loaded.schema;
  } else if (spec.rows && spec.schema) {
    rows = spec.rows;
    schema = spec.schema;
  } else throw new Error('a training spec needs either csv or rows with a schema');
  if (signal?.aborted) throw new DOMException('training was cancelled', 'AbortError');
  onProgress({ phase: 'training', rows: rows.length, features: Object.keys(schema) });
  const artifact = await trainArtifact(rows, {
    ...spec.tuning,
    type: spec.type,
    label: spec.label,
    time: spec.time,
    schema,
    holdout: spec.holdout,
    signal,
    onEpoch: (e) => onProgress({ phase: 'epoch', ...e }),
  });
  onProgress({ phase: 'saving' });
  return artifact;
}

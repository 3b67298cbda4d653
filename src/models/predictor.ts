// Serving side of an artifact: raw rows in, predictions and scores out. Binary scores are
// P(positive class) and the prediction is the positive class at score ≥ 0.5; multiclass scores
// are one probability per class (keyed by String(class)) and the prediction is the argmax.
import { tf } from './backend.js';
import { initBackend } from './backend.js';
import { restoreModel, type ModelArtifact } from './artifact.js';
import { encoderFromState } from './encoder.js';
import type { ClassLabel, Task } from '../core/classes.js';
import { predictProbabilities, PREDICT_BATCH } from './scoring.js';
import { denseLayers, scoreDense } from './denseScorer.js';

/** Up to this many rows a call is scored in JavaScript (denseScorer.ts): tfjs's per-call cost dominates there. */
export const SMALL_BATCH = 32;

export interface Predictions {
  prediction: ClassLabel[];
  score: number[] | Record<string, number>[];
}

export interface Predictor {
  readonly task: Task;
  readonly classes: readonly ClassLabel[];
  readonly features: readonly string[];
  predict(rows: readonly Record<string, unknown>[]): Predictions;
  /** Frees the model's tensors; predict must not be called afterwards. */
  dispose(): void;
}

export async function loadPredictor(artifact: ModelArtifact, batchSize = PREDICT_BATCH): Promise<Predictor> {
  await initBackend();
  const encoder = encoderFromState(artifact.encoder);
  const model: tf.LayersModel = await restoreModel(artifact);
  const classes = artifact.classes;
  const keys = classes.map(String);
  const dense = denseLayers(model);
  let disposed = false;
  return {
    task: artifact.task,
    classes,
    features: artifact.features,
    predict(rows) {
      if (disposed) throw new Error('predictor was disposed');
      const { probs, width } = dense !== null && rows.length <= SMALL_BATCH
        ? { probs: scoreDense(dense, encoder.transform(rows), rows.length), width: dense[dense.length - 1].outDim }
        : predictProbabilities(model, encoder, rows, batchSize);
      if (artifact.task === 'binary') {
        const score = Array.from(probs);
        return { prediction: score.map((p) => (p >= 0.5 ? classes[1]! : classes[0]!)), score };
      }
      const prediction: ClassLabel[] = [];
      const score: Record<string, number>[] = [];
      for (let i = 0; i < rows.length; i++) {
        const p = probs.subarray(i * width, (i + 1) * width);
        const entry: Record<string, number> = {};
        let best = 0;
        for (let k = 0; k < width; k++) {
          entry[keys[k]!] = p[k]!;
          if (p[k]! > p[best]!) best = k;
        }
        prediction.push(classes[best]!);
        score.push(entry);
      }
      return { prediction, score };
    },
    dispose() {
      if (!disposed) model.dispose();
      disposed = true;
    },
  };
}

// Class probabilities for encoded rows, in batches inside tf.tidy so no tensor outlives a call.
// Shared by training (validation, held-out metrics) and the serving predictor.
import { tf } from './backend.js';
import type { Encoder } from './encoder.js';

export const PREDICT_BATCH = 4096;

/**
 * Row-major probabilities, rows × width. width is 1 for a binary model (P(positive)) and the
 * number of classes for a multiclass one.
 */
export function predictProbabilities(
  model: tf.LayersModel,
  encoder: Encoder,
  rows: readonly Record<string, unknown>[],
  batchSize = PREDICT_BATCH,
): { probs: Float32Array; width: number } {
  return predictEncoded(model, encoder.transform(rows), rows.length, encoder.dim, batchSize);
}

export function predictEncoded(
  model: tf.LayersModel,
  x: Float32Array,
  n: number,
  dim: number,
  batchSize = PREDICT_BATCH,
): { probs: Float32Array; width: number } {
  const outShape = model.outputs[0]!.shape;
  const width = outShape[outShape.length - 1] ?? 1;
  const probs = new Float32Array(n * width);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const out = tf.tidy(() => {
      const input = tf.tensor2d(x.subarray(start * dim, end * dim), [end - start, dim]);
      return (model.predict(input) as tf.Tensor).dataSync() as Float32Array;
    });
    probs.set(out, start * width);
  }
  return { probs, width };
}

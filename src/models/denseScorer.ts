/**
 * Scores a few rows of a dense network in plain JavaScript. Every model we train is a stack of
 * Dense layers (Dropout is the identity at inference): for one request, tfjs's per-call cost
 * (tensor allocation, kernel dispatch, dataSync) is a few hundred microseconds per model,
 * while the arithmetic itself (a 5-feature logreg, a 32-16 MLP) is a few hundred
 * multiply-adds. `serve` scores every request with the active model and each shadow, so this
 * is its latency. Large batches still go through tfjs (its kernels win there).
 *
 * Weights are read from the model once and kept in Float32Arrays; sums accumulate in float64
 * and each layer's output is rounded to float32, as tfjs stores it, so scores agree with
 * `model.predict` to float32 precision (test/models/denseScorer.test.ts).
 */
import type { tf } from './backend.js';

type Activation = 'linear' | 'relu' | 'sigmoid' | 'softmax' | 'tanh';

interface DenseLayer {
  inDim: number;
  outDim: number;
  /** Row-major inDim × outDim, as tfjs stores a Dense kernel. */
  kernel: Float32Array;
  bias: Float32Array | null;
  activation: Activation;
}

const ACTIVATIONS = new Set<string>(['linear', 'relu', 'sigmoid', 'softmax', 'tanh']);

/** The model's Dense layers, or null when it has a layer this scorer does not know. */
export function denseLayers(model: tf.LayersModel): DenseLayer[] | null {
  const layers: DenseLayer[] = [];
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind === 'Dropout' || kind === 'InputLayer') continue;
    if (kind !== 'Dense') return null;
    const config = layer.getConfig() as { activation?: string; useBias?: boolean };
    const activation = config.activation ?? 'linear';
    if (!ACTIVATIONS.has(activation)) return null;
    const weights = layer.getWeights();
    const kernel = weights[0];
    if (kernel === undefined || kernel.shape.length !== 2) return null;
    const [inDim, outDim] = kernel.shape as [number, number];
    const bias = weights[1] ? (weights[1].dataSync() as Float32Array).slice() : null;
    layers.push({ inDim, outDim, kernel: (kernel.dataSync() as Float32Array).slice(), bias, activation: activation as Activation });
  }
  for (let i = 1; i < layers.length; i++) if (layers[i].inDim !== layers[i - 1].outDim) return null;
  return layers.length > 0 ? layers : null;
}

function activate(v: Float32Array, a: Activation): void {
  switch (a) {
    case 'linear': return;
    case 'relu': for (let i = 0; i < v.length; i++) if (v[i] < 0) v[i] = 0; return;
    case 'sigmoid': for (let i = 0; i < v.length; i++) v[i] = 1 / (1 + Math.exp(-v[i])); return;
    case 'tanh': for (let i = 0; i < v.length; i++) v[i] = Math.tanh(v[i]); return;
    case 'softmax': {
      let max = -Infinity;
      for (let i = 0; i < v.length; i++) if (v[i] > max) max = v[i];
      let sum = 0;
      for (let i = 0; i < v.length; i++) { v[i] = Math.exp(v[i] - max); sum += v[i]; }
      for (let i = 0; i < v.length; i++) v[i] /= sum;
    }
  }
}

/**
 * Row-major outputs (n × last layer's width) of the layers for n encoded rows (n × dim), the
 * same layout as predictEncoded's.
 */
export function scoreDense(layers: readonly DenseLayer[], x: Float32Array, n: number): Float32Array {
  const width = layers[layers.length - 1].outDim;
  const out = new Float32Array(n * width);
  for (let r = 0; r < n; r++) {
    let input = x.subarray(r * layers[0].inDim, (r + 1) * layers[0].inDim);
    for (const l of layers) {
      const next = new Float32Array(l.outDim);
      for (let j = 0; j < l.outDim; j++) {
        let s = l.bias === null ? 0 : l.bias[j];
        for (let i = 0; i < l.inDim; i++) {
          const xi = input[i];
          if (xi !== 0) s += xi * l.kernel[i * l.outDim + j]; // one-hot inputs are mostly 0
        }
        next[j] = s;
      }
      activate(next, l.activation);
      input = next;
    }
    out.set(input, r * width);
  }
  return out;
}

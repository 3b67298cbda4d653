// Trains a logistic regression or a small MLP with tfjs on time-ordered rows.
// Design notes:
// - Rows are taken in time order. The last `holdoutFraction` (or the explicit holdout rows) is
//   never seen in training and gives the reported metrics; the last `validationFraction` of
//   what remains drives early stopping. Random splits would leak the future into the past.
// - A hand-written batch loop (trainOnBatch) instead of model.fit: it lets us stop between
//   batches on an AbortSignal, yield to the event loop so a cancel message can arrive, and
//   report an ETA; the best weights by validation loss are restored at the end.
// - Everything tfjs allocates is disposed on every exit path, including cancel and errors.
import { accuracy, logLoss, logLossMulticlass, rocAuc } from '../compare/metrics.js';
import type { FeatureSchema } from '../drift/profile.js';
import { initBackend, tf } from './backend.js';
import { Encoder, fitEncoder } from './encoder.js';
import { classesOf, classIndexer, taskOf, type ClassLabel, type Task } from '../core/classes.js';
import { predictEncoded } from './scoring.js';
import { mulberry32 } from '../util/random.js';

export type ModelType = 'logreg' | 'mlp';

export interface EpochProgress {
  epoch: number;
  epochs: number;
  loss: number;
  valLoss: number;
  /** AUC for binary, accuracy for multiclass, on the validation rows. */
  valMetric: number;
  etaSeconds: number;
}

export interface TrainOptions {
  type: ModelType;
  label: string;
  schema: FeatureSchema;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Epochs without a better validation loss before stopping. */
  patience?: number;
  /** Share of the fit rows (their last part by time) used for early stopping. */
  validationFraction?: number;
  /** Share of the rows (their last part by time) held out for metrics, unless holdout rows are given. */
  holdoutFraction?: number;
  /** Explicit held-out rows (e.g. a later period); then every given row is used for fitting. */
  holdout?: readonly Record<string, unknown>[];
  topK?: number;
  seed?: number;
  onEpoch?: (progress: EpochProgress) => void;
  signal?: AbortSignal;
}

export interface ModelMetrics {
  accuracy: number;
  logLoss: number;
  /** Binary only. */
  auc?: number;
  /** Labelled rows the metrics were computed on. */
  rows: number;
  /** Share of the positive class in those rows (binary only). */
  positiveRate?: number;
}

export interface TrainedModel {
  model: tf.LayersModel;
  encoder: Encoder;
  classes: ClassLabel[];
  task: Task;
  type: ModelType;
  metrics: ModelMetrics;
  /** Rows fitted on (train + validation) and their count of skipped unlabeled rows. */
  fitRows: number;
  skippedUnlabeled: number;
  epochsRun: number;
  backend: string;
  /** Whole call, and the epoch loop alone (what a backend comparison should look at). */
  seconds: number;
  fitSeconds: number;
}

export const DEFAULTS = {
  epochs: 12,
  batchSize: 512,
  patience: 2,
  validationFraction: 0.1,
  holdoutFraction: 0.2,
  seed: 42,
  learningRate: { logreg: 0.01, mlp: 0.003 },
} as const;

export function abortError(): Error {
  return new DOMException('training was cancelled', 'AbortError');
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

function buildModel(type: ModelType, dim: number, outputs: number, seed: number): tf.LayersModel {
  const activation = outputs === 1 ? 'sigmoid' : 'softmax';
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  const model = tf.sequential();
  if (type === 'logreg') {
    model.add(tf.layers.dense({ inputShape: [dim], units: outputs, activation, kernelInitializer: init(0) }));
  } else {
    model.add(tf.layers.dense({ inputShape: [dim], units: 32, activation: 'relu', kernelInitializer: init(1) }));
    model.add(tf.layers.dropout({ rate: 0.2, seed: seed + 2 }));
    model.add(tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(3) }));
    model.add(tf.layers.dropout({ rate: 0.2, seed: seed + 4 }));
    model.add(tf.layers.dense({ units: outputs, activation, kernelInitializer: init(5) }));
  }
  return model;
}

interface Encoded {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

function encode(encoder: Encoder, rows: readonly Record<string, unknown>[], label: string, toIndex: (v: unknown) => number): Encoded {
  const kept = rows.filter((r) => toIndex(r[label]) >= 0);
  return { x: encoder.transform(kept), y: Int32Array.from(kept, (r) => toIndex(r[label])), n: kept.length };
}

function slice(d: Encoded, dim: number, from: number, to: number): Encoded {
  return { x: d.x.subarray(from * dim, to * dim), y: d.y.subarray(from, to), n: to - from };
}

/** Metrics of class probabilities (row-major, width 1 for binary) against class indices. */
export function evaluate(probs: Float32Array, width: number, y: Int32Array, task: Task): ModelMetrics {
  const n = y.length;
  if (task === 'binary') {
    const predicted = Uint8Array.from(probs, (p) => (p >= 0.5 ? 1 : 0));
    let positives = 0;
    for (const v of y) positives += v;
    return { accuracy: accuracy(y, predicted), logLoss: logLoss(y, probs), auc: rocAuc(y, probs), rows: n, positiveRate: n ? positives / n : NaN };
  }
  const rowsProbs: Float32Array[] = [];
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = probs.subarray(i * width, (i + 1) * width);
    rowsProbs.push(p);
    let best = 0;
    for (let k = 1; k < width; k++) if (p[k]! > p[best]!) best = k;
    predicted[i] = best;
  }
  return { accuracy: accuracy(y, predicted), logLoss: logLossMulticlass(y, rowsProbs), rows: n };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Trains on time-ordered rows. The caller owns the returned model and must dispose it. */
export async function trainModel(rows: readonly Record<string, unknown>[], options: TrainOptions): Promise<TrainedModel> {
  const started = performance.now();
  const { signal } = options;
  throwIfAborted(signal);
  const backend = (await initBackend()).name;
  const epochs = options.epochs ?? DEFAULTS.epochs;
  const batchSize = options.batchSize ?? DEFAULTS.batchSize;
  const patience = options.patience ?? DEFAULTS.patience;
  const seed = options.seed ?? DEFAULTS.seed;
  const learningRate = options.learningRate ?? DEFAULTS.learningRate[options.type];
  const validationFraction = options.validationFraction ?? DEFAULTS.validationFraction;
  if (Object.prototype.hasOwnProperty.call(options.schema, options.label)) {
    throw new Error(`the label "${options.label}" cannot also be a feature`);
  }

  let fitRows: readonly Record<string, unknown>[] = rows;
  let holdoutRows: readonly Record<string, unknown>[];
  if (options.holdout) holdoutRows = options.holdout;
  else {
    const cut = Math.floor(rows.length * (1 - (options.holdoutFraction ?? DEFAULTS.holdoutFraction)));
    fitRows = rows.slice(0, cut);
    holdoutRows = rows.slice(cut);
  }

  const classes = classesOf(fitRows.map((r) => r[options.label]));
  const task = taskOf(classes);
  const toIndex = classIndexer(classes);
  const encoder = fitEncoder(fitRows, options.schema, { topK: options.topK });
  const dim = encoder.dim;
  const all = encode(encoder, fitRows, options.label, toIndex);
  const skippedUnlabeled = fitRows.length - all.n;
  const valCount = Math.max(1, Math.floor(all.n * validationFraction));
  if (all.n - valCount < 1) throw new Error(`too few labelled rows to train (${all.n})`);
  const train = slice(all, dim, 0, all.n - valCount);
  const val = slice(all, dim, all.n - valCount, all.n);
  const held = encode(encoder, holdoutRows, options.label, toIndex);
  if (held.n === 0) throw new Error('no labelled held-out rows to measure the model on');

  const outputs = task === 'binary' ? 1 : classes.length;
  const model = buildModel(options.type, dim, outputs, seed);
  const optimizer = tf.train.adam(learningRate);
  let best: tf.Tensor[] | null = null;
  const disposeBest = () => {
    best?.forEach((t) => t.dispose());
    best = null;
  };
  try {
    model.compile({
      optimizer,
      loss: task === 'binary' ? 'binaryCrossentropy' : 'categoricalCrossentropy',
    });
    const rng = mulberry32(seed);
    const order = Uint32Array.from({ length: train.n }, (_, i) => i);
    const bx = new Float32Array(batchSize * dim);
    const by = new Float32Array(batchSize * outputs);
    let bestLoss = Infinity;
    let sinceBest = 0;
    let epochsRun = 0;
    const epochStart = performance.now();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      let lossSum = 0;
      let seen = 0;
      for (let start = 0; start < train.n; start += batchSize) {
        throwIfAborted(signal);
        const size = Math.min(batchSize, train.n - start);
        by.fill(0, 0, size * outputs);
        for (let b = 0; b < size; b++) {
          const r = order[start + b]!;
          bx.set(train.x.subarray(r * dim, (r + 1) * dim), b * dim);
          if (outputs === 1) by[b] = train.y[r]!;
          else by[b * outputs + train.y[r]!] = 1;
        }
        const xs = tf.tensor2d(bx.subarray(0, size * dim), [size, dim]);
        const ys = tf.tensor2d(by.subarray(0, size * outputs), [size, outputs]);
        try {
          const loss = (await model.trainOnBatch(xs, ys)) as number;
          lossSum += loss * size;
          seen += size;
        } finally {
          xs.dispose();
          ys.dispose();
        }
        await yieldToEventLoop();
      }
      throwIfAborted(signal);
      epochsRun = epoch;
      const { probs, width } = predictEncoded(model, val.x, val.n, dim);
      const valMetrics = evaluate(probs, width, val.y, task);
      const valLoss = valMetrics.logLoss;
      if (valLoss < bestLoss - 1e-6) {
        bestLoss = valLoss;
        sinceBest = 0;
        disposeBest();
        best = model.getWeights().map((w) => w.clone());
      } else sinceBest++;
      const stopping = sinceBest >= patience || epoch === epochs;
      const perEpoch = (performance.now() - epochStart) / 1000 / epoch;
      options.onEpoch?.({
        epoch,
        epochs,
        loss: seen ? lossSum / seen : NaN,
        valLoss,
        valMetric: task === 'binary' ? valMetrics.auc! : valMetrics.accuracy,
        etaSeconds: stopping ? 0 : perEpoch * (epochs - epoch),
      });
      if (stopping) break;
    }
    if (best) model.setWeights(best);
    disposeBest();
    const fitSeconds = (performance.now() - epochStart) / 1000;
    const { probs, width } = predictEncoded(model, held.x, held.n, dim);
    const metrics = evaluate(probs, width, held.y, task);
    return {
      model,
      encoder,
      classes,
      task,
      type: options.type,
      metrics,
      fitRows: all.n,
      skippedUnlabeled,
      epochsRun,
      backend,
      seconds: (performance.now() - started) / 1000,
      fitSeconds,
    };
  } catch (e) {
    disposeBest();
    model.dispose();
    throw e;
  } finally {
    // The optimizer's moment variables are not owned by the model: dispose them on every path.
    optimizer.dispose();
  }
}

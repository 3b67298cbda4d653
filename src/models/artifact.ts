// A trained model as one plain object, and its two-part storage form: JSON for everything
// readable, a byte buffer for the weights. The store keeps them in SQLite (JSON column + BLOB),
// never as loose files; tfjs-node's file:// handler is not needed, so this works on any backend.
import type { DatasetProfile, FeatureSchema, NumericProfile } from '../drift/profile.js';
import type { PeriodProfiles } from './periodProfiles.js';
import type { CbpeReference } from '../compare/cbpeReference.js';
import { tf } from './backend.js';
import type { EncoderState } from './encoder.js';
import type { ClassLabel, Task } from '../core/classes.js';
import type { ModelMetrics, ModelType } from './train.js';
import type { FeatureImportance } from '../quality/importance.js';

export const ARTIFACT_FORMAT = 1;

export interface TrainedOn {
  /** Labelled rows the model was fitted on (training + validation). */
  rows: number;
  /** Time span of those rows, from the time column when there is one. */
  from?: string;
  until?: string;
  /** Labelled rows the metrics were measured on, and their span. */
  holdoutRows: number;
  holdoutFrom?: string;
  holdoutUntil?: string;
  /** Count of each class among the fitted rows, keyed by String(class). */
  classCounts: Record<string, number>;
}

export interface TrainingRun {
  backend: string;
  epochs: number;
  seconds: number;
}

export interface ModelArtifact {
  format: typeof ARTIFACT_FORMAT;
  type: ModelType;
  task: Task;
  label: string;
  /** Feature names in encoder order. */
  features: string[];
  schema: FeatureSchema;
  classes: ClassLabel[];
  encoder: EncoderState;
  metrics: ModelMetrics;
  /** Reference profile of the fitted rows' features, for drift. */
  profile: DatasetProfile;
  /** The model's scores on its fitted rows (binary): the reference for prediction drift. */
  scoreProfile?: NumericProfile;
  /** An evenly spaced sample of the fitted rows' features (multivariate drift). */
  referenceSample?: Record<string, unknown>[];
  /** Per-weekday profiles of the fitted rows, when trained with a time column. */
  periodProfiles?: PeriodProfiles;
  /**
   * CBPE reference fitted on the held-out rows (at least MIN_REFERENCE_ROWS labelled held-out
   * rows; one-vs-rest calibrators for multiclass models), and for binary models the held-out
   * scores, labels and predictions it was fitted on, so it can be refitted. Absent in artifacts made before it existed: such a model gets no
   * estimate until a reference period is pinned.
   */
  cbpe?: CbpeReference;
  holdout?: { scores: number[]; labels: number[]; predicted: number[] };
  trainedOn: TrainedOn;
  training: TrainingRun;
  /** Permutation importance on the held-out rows (absent in artifacts trained before it existed). */
  importance?: FeatureImportance;
  topology: object;
  weightSpecs: object[];
  weightData: Uint8Array;
}

export type ArtifactMeta = Omit<ModelArtifact, 'topology' | 'weightSpecs' | 'weightData'>;

/** Captures a tfjs model's topology and weights in memory. */
export async function captureModel(model: tf.LayersModel): Promise<Pick<ModelArtifact, 'topology' | 'weightSpecs' | 'weightData'>> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = captured as tf.io.ModelArtifacts | null;
  if (!a?.modelTopology || !a.weightSpecs || !a.weightData) throw new Error('tfjs did not hand over the model topology and weights');
  const data = Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : a.weightData;
  return { topology: a.modelTopology as object, weightSpecs: a.weightSpecs as object[], weightData: new Uint8Array(data.slice(0)) };
}

/** Rebuilds the tfjs model of an artifact (the caller disposes it). */
export async function restoreModel(artifact: Pick<ModelArtifact, 'topology' | 'weightSpecs' | 'weightData'>): Promise<tf.LayersModel> {
  const bytes = artifact.weightData;
  // fromMemory wants an ArrayBuffer of exactly the weights; a Buffer may be a view into a pool.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: artifact.topology,
      weightSpecs: artifact.weightSpecs as tf.io.WeightsManifestEntry[],
      weightData: buffer,
    }),
  );
}

/** Splits an artifact into JSON (everything but the weight bytes) and a weights buffer. */
export function serializeArtifact(a: ModelArtifact): { json: string; weights: Buffer } {
  const { weightData, ...rest } = a;
  return { json: JSON.stringify(rest), weights: Buffer.from(weightData.buffer, weightData.byteOffset, weightData.byteLength) };
}

const REQUIRED = ['type', 'task', 'label', 'features', 'schema', 'classes', 'encoder', 'metrics', 'profile', 'trainedOn', 'topology', 'weightSpecs'] as const;

export function deserializeArtifact(json: string, weights: Uint8Array): ModelArtifact {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(json) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`model artifact JSON is not valid: ${(e as Error).message}`);
  }
  if (parsed.format !== ARTIFACT_FORMAT) throw new Error(`unsupported model artifact format ${String(parsed.format)}`);
  for (const key of REQUIRED) if (parsed[key] === undefined) throw new Error(`model artifact is missing "${key}"`);
  const expected = (parsed.weightSpecs as { shape: number[]; dtype?: string }[]).reduce(
    (s, w) => s + w.shape.reduce((p, d) => p * d, 1) * 4,
    0,
  );
  if (expected !== weights.byteLength) throw new Error(`model weights are ${weights.byteLength} bytes, the specs need ${expected}`);
  return { ...(parsed as unknown as ArtifactMeta & Pick<ModelArtifact, 'topology' | 'weightSpecs'>), weightData: new Uint8Array(weights) };
}

// What a training job needs, as plain data that can cross a worker_threads boundary, and the
// progress it reports back.
import type { FeatureSchema } from '../drift/profile.js';
import type { TrainingDataSpec } from './trainFromCsv.js';
import type { EpochProgress, ModelType, TrainOptions } from './train.js';

/** The training knobs of TrainOptions that a job may set (plain data, crosses the worker boundary). */
export type TrainTuning = Partial<Pick<TrainOptions, 'epochs' | 'batchSize' | 'learningRate' | 'patience' | 'validationFraction' | 'holdoutFraction' | 'topK' | 'seed'>>;

export interface TrainSpec {
  type: ModelType;
  label: string;
  time?: string;
  /** In-memory rows (time-ordered) with their schema... */
  rows?: Record<string, unknown>[];
  schema?: FeatureSchema;
  /** ...or a CSV read in the worker (path, features, from/until, pinned kinds). */
  csv?: Omit<TrainingDataSpec, 'label' | 'time'>;
  /** Explicit held-out rows; default: the last holdoutFraction of the rows by time. */
  holdout?: Record<string, unknown>[];
  tuning?: TrainTuning;
}

export type TrainProgress =
  | { phase: 'loading' }
  | { phase: 'training'; rows: number; features: string[] }
  | ({ phase: 'epoch' } & EpochProgress)
  | { phase: 'saving' };

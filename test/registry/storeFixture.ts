/**
 * Synthetic stores for the comparison and gate tests, written through the real ingest path
 * (IngestStore.commitBatch). Every request has a true probability p = sigmoid(1.5·z); the
 * label is drawn from it, and each model scores sigmoid(logit p + noise·e) with its own
 * noise, so a model with less noise is truly better and the scores are close to calibrated.
 */
import { openDb, type Db } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { registerModel } from '../../store/registry.js';
import type { LabelRecord, PredictionRecord } from '../../src/ingest/records.js';
import { mulberry32, normalSampler } from '../../src/util/random.js';

export interface SyntheticModel {
  name: string;
  noise: number;
  alias?: 'active' | 'shadow';
}

export interface SyntheticOptions {
  rows: number;
  seed?: number;
  /** share of requests whose label has arrived (the first ones, in time order) */
  labelShare?: number;
  /** first request index (ids r-<i>), so a second call appends fresh traffic */
  start?: number;
  t0?: number;
  /** register the models (version 1) in the registry; default true */
  register?: boolean;
}

export const OPERATOR = { operator: 'test', client: null };

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export interface SyntheticTruth {
  ids: string[];
  ts: number[];
  /** label per request, null when it has not arrived */
  labels: Array<number | null>;
  /** per model name: predicted class and score per request */
  predicted: Record<string, number[]>;
  scores: Record<string, number[]>;
}

/** The same stream as JSONL lines (predictions, then the labels), for the real ingest path. */
export function syntheticLines(models: SyntheticModel[], o: SyntheticOptions): { lines: string[]; truth: SyntheticTruth } {
  const truth = generate(models, o);
  const lines: string[] = [];
  truth.ids.forEach((id, i) => {
    for (const m of models) {
      lines.push(JSON.stringify({ ts: truth.ts[i], id, model: m.name, version: 1, features: { x: i % 7 }, prediction: truth.predicted[m.name][i], score: truth.scores[m.name][i] }));
    }
  });
  truth.ids.forEach((id, i) => {
    const y = truth.labels[i];
    if (y !== null) lines.push(JSON.stringify({ ts: truth.ts[i] + 60_000, id, label: y }));
  });
  return { lines, truth };
}

function generate(models: SyntheticModel[], o: SyntheticOptions): SyntheticTruth {
  const rng = mulberry32(o.seed ?? 7);
  const normal = normalSampler(rng);
  const t0 = o.t0 ?? Date.UTC(2001, 0, 1);
  const labelled = Math.floor(o.rows * (o.labelShare ?? 1));
  const truth: SyntheticTruth = { ids: [], ts: [], labels: [], predicted: {}, scores: {} };
  for (const m of models) {
    truth.predicted[m.name] = [];
    truth.scores[m.name] = [];
  }
  for (let k = 0; k < o.rows; k++) {
    const i = (o.start ?? 0) + k;
    const logit = 1.5 * normal();
    const y = rng() < sigmoid(logit) ? 1 : 0;
    truth.ids.push(`r-${i}`);
    truth.ts.push(t0 + i * 1000);
    truth.labels.push(k < labelled ? y : null);
    for (const m of models) {
      const score = sigmoid(logit + m.noise * normal());
      truth.scores[m.name].push(score);
      truth.predicted[m.name].push(score >= 0.5 ? 1 : 0);
    }
  }
  return truth;
}

export function writeSynthetic(db: Db, models: SyntheticModel[], o: SyntheticOptions): SyntheticTruth {
  const truth = generate(models, o);
  const store = new IngestStore(db);
  const file = store.registerFile(`synthetic-${o.start ?? 0}.jsonl`, `inode-${o.start ?? 0}-${o.seed ?? 7}`, 'h', 0, false);
  let preds: PredictionRecord[] = [];
  let labels: LabelRecord[] = [];
  const flush = (): void => {
    store.commitBatch(file, 0, 0, preds, labels, []);
    preds = [];
    labels = [];
  };
  truth.ids.forEach((id, i) => {
    const ts = truth.ts[i];
    for (const m of models) {
      const score = truth.scores[m.name][i];
      preds.push({ kind: 'prediction', ts, id, model: m.name, version: 1, features: { x: i % 7 }, prediction: truth.predicted[m.name][i], score, scores: null });
    }
    const y = truth.labels[i];
    if (y !== null) labels.push({ kind: 'label', ts: ts + 60_000, id, label: y });
    if (preds.length >= 10_000) flush();
  });
  flush();
  return truth;
}

export function syntheticStore(path: string, models: SyntheticModel[], o: SyntheticOptions): Db {
  return syntheticStoreWithTruth(path, models, o).db;
}

export function syntheticStoreWithTruth(path: string, models: SyntheticModel[], o: SyntheticOptions): { db: Db; truth: SyntheticTruth } {
  const db = openDb(path);
  if (o.register ?? true) {
    for (const m of models) {
      registerModel(db, { name: m.name, type: 'logreg', task: 'binary', artifact: '{}', weights: Buffer.alloc(0), metrics: {}, alias: m.alias }, OPERATOR);
    }
  }
  const truth = writeSynthetic(db, models, o);
  return { db, truth };
}

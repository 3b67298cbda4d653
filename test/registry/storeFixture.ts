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

export function writeSynthetic(db: Db, models: SyntheticModel[], o: SyntheticOptions): void {
  const rng = mulberry32(o.seed ?? 7);
  const normal = normalSampler(rng);
  const store = new IngestStore(db);
  const file = store.registerFile(`synthetic-${o.start ?? 0}.jsonl`, `inode-${o.start ?? 0}-${Math.random()}`, 'h', 0, false);
  const t0 = o.t0 ?? Date.UTC(2001, 0, 1);
  const labelled = Math.floor(o.rows * (o.labelShare ?? 1));
  let preds: PredictionRecord[] = [];
  let labels: LabelRecord[] = [];
  const flush = (): void => {
    store.commitBatch(file, 0, 0, preds, labels, []);
    preds = [];
    labels = [];
  };
  for (let k = 0; k < o.rows; k++) {
    const i = (o.start ?? 0) + k;
    const logit = 1.5 * normal();
    const y = rng() < sigmoid(logit) ? 1 : 0;
    const ts = t0 + i * 1000;
    const id = `r-${i}`;
    for (const m of models) {
      const score = sigmoid(logit + m.noise * normal());
      preds.push({ kind: 'prediction', ts, id, model: m.name, version: 1, features: { x: i % 7 }, prediction: score >= 0.5 ? 1 : 0, score, scores: null });
    }
    if (k < labelled) labels.push({ kind: 'label', ts: ts + 60_000, id, label: y });
    if (preds.length >= 10_000) flush();
  }
  flush();
}

export function syntheticStore(path: string, models: SyntheticModel[], o: SyntheticOptions): Db {
  const db = openDb(path);
  if (o.register ?? true) {
    for (const m of models) {
      registerModel(db, { name: m.name, type: 'logreg', task: 'binary', artifact: '{}', weights: Buffer.alloc(0), metrics: {}, alias: m.alias }, OPERATOR);
    }
  }
  writeSynthetic(db, models, o);
  return db;
}

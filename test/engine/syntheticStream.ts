/**
 * A synthetic prediction stream with known properties, for engine tests that need a change
 * at a set time (or none): x ~ N(0, 1) drives the label, z ~ N(5, 2) is noise, c is a
 * category in {a, b, c}. Models are real tfjs logistic regressions trained on a stationary
 * week of it, registered in a real SQLite registry; the logs are real JSONL lines.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { currentOperator } from '../../store/audit.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import type { ModelArtifact } from '../../src/models/artifact.js';
import { initBackend } from '../../src/models/backend.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { saveArtifact } from '../../src/registry/saveArtifact.js';
import { mulberry32 } from '../../src/util/random.js';
import { tempDir } from '../helpers/tmp.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** Monday 2001-01-01: the training week starts here, the live stream a week later. */
export const TRAIN_START = Date.UTC(2001, 0, 1);
export const LIVE_START = TRAIN_START + 7 * DAY_MS;
export const SCHEMA = { x: 'numeric', z: 'numeric', c: 'categorical' } as const;

export interface Shift {
  /** from this time on */
  at: number;
  /** added to x (x has standard deviation 1) */
  xMean: number;
  /** share of rows whose category is the new 'd' */
  newCategoryShare: number;
}

export interface SyntheticRow {
  ts: number;
  x: number;
  z: number;
  c: string;
  y: number;
}

function normal(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** `perDay` rows a day, evenly spaced, from `start` for `days` days. */
export function syntheticRows(seed: number, start: number, days: number, perDay: number, shift: Shift | null = null): SyntheticRow[] {
  const rng = mulberry32(seed);
  const n = Math.round(days * perDay);
  const rows: SyntheticRow[] = [];
  for (let i = 0; i < n; i++) {
    const ts = start + Math.floor((i * DAY_MS) / perDay);
    const shifted = shift !== null && ts >= shift.at;
    let x = normal(rng);
    const y = rng() < 1 / (1 + Math.exp(-2 * x)) ? 1 : 0;
    if (shifted) x += shift.xMean;
    const u = rng();
    let c = u < 0.5 ? 'a' : u < 0.8 ? 'b' : 'c';
    if (shifted && rng() < shift.newCategoryShare) c = 'd';
    rows.push({ ts, x, z: 5 + 2 * normal(rng), c, y });
  }
  return rows;
}

let trained: Promise<{ active: ModelArtifact; shadow: ModelArtifact }> | null = null;

/** Two models on the stationary training week (once per test file): all rows fitted, a later day held out for metrics. */
export function syntheticModels(): Promise<{ active: ModelArtifact; shadow: ModelArtifact }> {
  trained ??= (async () => {
    await initBackend();
    const fit = syntheticRows(1, TRAIN_START, 7, 2000).map((r) => ({ ...r, ts: new Date(r.ts).toISOString() }));
    const holdout = syntheticRows(2, LIVE_START - DAY_MS, 1, 500).map((r) => ({ ...r, ts: new Date(r.ts).toISOString() }));
    const opts = { type: 'logreg' as const, label: 'y', schema: { ...SCHEMA }, time: 'ts', holdout, epochs: 5 };
    const active = await trainArtifact(fit, opts);
    const shadow = await trainArtifact(fit.filter((_, i) => i % 3 !== 0), { ...opts, epochs: 2 });
    return { active, shadow };
  })();
  return trained;
}

export interface SyntheticSetup {
  dir: string;
  logs: string;
  config: Config;
}

/** A fresh database with the active model (and the shadow, when asked) and an empty log directory. */
export async function syntheticSetup(withShadow: boolean, window = '1d'): Promise<SyntheticSetup> {
  const { active, shadow } = await syntheticModels();
  const dir = tempDir('mlops-synthetic-');
  const logs = join(dir, 'predictions');
  mkdirSync(logs, { recursive: true });
  const config = structuredClone(DEFAULT_CONFIG);
  config.db = join(dir, 'mlops.db');
  config.watch = logs;
  config.drift.window = window;
  const db = openDb(config.db);
  try {
    saveArtifact(db, 'm', active, currentOperator());
    if (withShadow) saveArtifact(db, 's', shadow, currentOperator(), 'shadow');
  } finally {
    db.close();
  }
  return { dir, logs, config };
}

/** A prediction line as a serving system logs it: the score is P(y = 1) under the true model, `bias` shifts a model's logit. */
export function predictionLine(r: SyntheticRow, id: string, model: string, bias = 0): string {
  const score = 1 / (1 + Math.exp(-(2 * r.x + bias)));
  return JSON.stringify({ ts: new Date(r.ts).toISOString(), id, model, version: 1, features: { x: r.x, z: r.z, c: r.c }, prediction: score >= 0.5 ? 1 : 0, score });
}

export function labelLine(r: SyntheticRow, id: string, delayMs: number): string {
  return JSON.stringify({ ts: new Date(r.ts + delayMs).toISOString(), id, label: r.y });
}

export function appendLines(file: string, lines: string[]): void {
  if (lines.length > 0) appendFileSync(file, `${lines.join('\n')}\n`);
}

/**
 * Serves rows [from, until) into daily log files: model `m`'s predictions, a candidate `m@2`'s
 * when `candidateBias` gives its logit shift for the row (null: not serving), and each label an
 * hour later.
 */
export function serveRows(logs: string, rows: readonly SyntheticRow[], from: number, until: number, idPrefix: string, candidateBias: (r: SyntheticRow) => number | null): void {
  const byFile = new Map<string, string[]>();
  const push = (ts: number, line: string) => {
    const f = join(logs, `predictions-${new Date(ts).toISOString().slice(0, 10)}.jsonl`);
    byFile.set(f, [...(byFile.get(f) ?? []), line]);
  };
  rows.forEach((r, i) => {
    if (r.ts < from || r.ts >= until) return;
    const id = `${idPrefix}-${i}`;
    push(r.ts, predictionLine(r, id, 'm'));
    const bias = candidateBias(r);
    if (bias !== null) push(r.ts, JSON.stringify({ ...JSON.parse(predictionLine(r, id, 'm', bias)), version: 2 }));
    push(r.ts + HOUR_MS, labelLine(r, id, HOUR_MS));
  });
  for (const [f, lines] of byFile) appendLines(f, lines);
}

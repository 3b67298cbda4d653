/**
 * The flights stream as the engine sees it in production, for the engine tests: models
 * trained on January 2001 (the real sample), registered in a SQLite registry in a temp dir,
 * and February–March replayed by the real replay into daily JSONL logs. Training runs once
 * per test file (memoised in this module: every test of a file shares the same artifacts, and
 * tfjs training is the slowest step); each stream gets its own temp dir and database.
 */
import { join } from 'node:path';
import { openDb, type Db } from '../../store/db.js';
import { currentOperator } from '../../store/audit.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';
import type { ClosedWindow } from '../../src/engine/driftMonitor.js';
import type { ModelArtifact } from '../../src/models/artifact.js';
import { initBackend } from '../../src/models/backend.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { loadTrainingRows } from '../../src/models/trainFromCsv.js';
import { saveArtifact } from '../../src/registry/saveArtifact.js';
import { parseIncident } from '../../src/replay/incident.js';
import { runReplay, type ReplayProgress } from '../../src/replay/replay.js';
import { FLIGHTS_CSV } from '../models/flights.js';
import { tempDir } from './tmp.js';

export const FLIGHT_FEATURES = ['hour', 'dow', 'distance', 'origin', 'destination'];
export const DAY_MS = 86_400_000;
/** As the demo: a flight's outcome is logged two hours after its departure. */
export const LABEL_DELAY_MS = 2 * 3_600_000;

export interface FlightsModels {
  /** logistic regression on January (its last fifth held out for metrics, as `train` does) */
  january: ModelArtifact;
  /** a second logistic regression, on January 1–21 only: the shadow candidate */
  shadow: ModelArtifact;
}

let models: Promise<FlightsModels> | null = null;

/** The January models, trained once per test file. */
export function flightsModels(): Promise<FlightsModels> {
  models ??= (async () => {
    await initBackend();
    const loaded = await loadTrainingRows({ data: FLIGHTS_CSV, label: 'delayed', time: 'ts', features: FLIGHT_FEATURES, until: '2001-02-01' });
    const opts = { type: 'logreg' as const, label: 'delayed', schema: loaded.schema, time: 'ts' };
    const january = await trainArtifact(loaded.rows, opts);
    const shadow = await trainArtifact(loaded.rows.filter((r) => r.ts! < '2001-01-22'), opts);
    return { january, shadow };
  })();
  return models;
}

export interface FlightsStreamOptions {
  /** e.g. 'hour+6h@2001-03-01' (the demo's incident); none by default */
  incident?: string;
  /** also register the shadow model, so every request is scored twice */
  shadow?: boolean;
  from?: string;
  until?: string;
  /** a CSV to replay instead of the committed sample (e.g. one with injected corruption) */
  data?: string;
  /** Where the database and logs go (a bench's own temp dir); default a temp dir removed when the test file ends. */
  dir?: string;
  /** Other models than the January ones: the active one, and a shadow registered beside it. */
  models?: { active: { name: string; artifact: ModelArtifact }; shadow?: { name: string; artifact: ModelArtifact } };
}

export interface FlightsStream {
  dir: string;
  dbPath: string;
  logs: string;
  /** default config pointed at this stream's database and logs */
  config: Config;
  active: string;
  shadow: string | null;
  january: ModelArtifact;
  replay: ReplayProgress;
}

/** Registers the January model (and the shadow) in a fresh database and replays the logs. */
export async function flightsStream(opts: FlightsStreamOptions = {}): Promise<FlightsStream> {
  const { january, shadow } = opts.models ? { january: opts.models.active.artifact, shadow: opts.models.shadow?.artifact ?? null } : await flightsModels();
  const dir = opts.dir ?? tempDir('mlops-flights-');
  const dbPath = join(dir, 'mlops.db');
  const logs = join(dir, 'predictions');
  const db = openDb(dbPath);
  try {
    const a = saveArtifact(db, opts.models?.active.name ?? 'flights', january, currentOperator());
    const s = (opts.shadow || opts.models?.shadow) && shadow ? saveArtifact(db, opts.models?.shadow?.name ?? 'flights-short', shadow, currentOperator(), 'shadow') : null;
    const replay = await runReplay(db, {
      data: opts.data ?? FLIGHTS_CSV, label: 'delayed', time: 'ts', out: logs, rate: 0, labelDelayMs: LABEL_DELAY_MS,
      from: Date.parse(`${opts.from ?? '2001-02-01'}T00:00:00Z`), until: Date.parse(`${opts.until ?? '2001-04-01'}T00:00:00Z`),
      incident: opts.incident ? parseIncident(opts.incident) : null,
    });
    const config = structuredClone(DEFAULT_CONFIG);
    config.db = dbPath;
    config.watch = logs;
    return { dir, dbPath, logs, config, active: `${a.name}@${a.version}`, shadow: s ? `${s.name}@${s.version}` : null, january, replay };
  } finally {
    db.close();
  }
}

export interface EngineRun {
  engine: Engine;
  /** drift windows closed during the run, in order */
  windows: ClosedWindow[];
}

/** Starts an engine (ingesting the watched logs itself unless told otherwise) and waits until it has caught up. */
export async function runEngine(config: Config, opts: Omit<EngineOptions, 'config'> = {}): Promise<EngineRun> {
  const engine = new Engine({ ingest: true, ...opts, config });
  const windows: ClosedWindow[] = [];
  engine.on('window', (e: { window: ClosedWindow }) => windows.push(e.window));
  await engine.start();
  await engine.caughtUp();
  return { engine, windows };
}

export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export interface StoredAlertRow {
  kind: string;
  detector: string | null;
  level: string;
  subject: string;
  eventTime: number;
  message: string;
}

export function alertsOf(db: Db, kind: string): StoredAlertRow[] {
  return db.prepare('SELECT kind, detector, level, subject, event_time AS eventTime, message FROM alerts WHERE kind = ? ORDER BY event_time, id')
    .all(kind) as StoredAlertRow[];
}


/** Share of positive labels per day of the requests (the flights' own days), over one model's predictions. */
export function labelShareByRequestDay(db: Db, model: string, version: number): Map<string, { rows: number; share: number }> {
  const rows = db.prepare(`SELECT p.ts, l.label FROM labels l JOIN predictions p ON p.request_id = l.request_id AND p.model = ? AND p.version = ?`)
    .all(model, version) as Array<{ ts: number; label: string }>;
  const acc = new Map<string, { rows: number; pos: number }>();
  for (const r of rows) {
    const d = isoDay(r.ts);
    const a = acc.get(d) ?? { rows: 0, pos: 0 };
    a.rows++;
    if (JSON.parse(r.label) === 1) a.pos++;
    acc.set(d, a);
  }
  return new Map([...acc].sort(([a], [b]) => a.localeCompare(b)).map(([d, a]) => [d, { rows: a.rows, share: a.pos / a.rows }]));
}

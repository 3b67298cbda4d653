/*
 * Retention: the database stays the same size under a steady load once the horizon is
 * reached (fault run: nothing bounded it; the demo's two months were 81 MB for 340k
 * predictions, growing by gigabytes a week at a million predictions a day).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openDb, type Db } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import type { LabelRecord, PredictionRecord } from '../../store/records.js';
import { saveDriftWindow } from '../../store/analyticsQueries.js';
import { DAY_MS, Retention } from '../../src/retention/retention.js';
import { tempDir } from '../helpers/tmp.js';

const T0 = Date.UTC(2026, 0, 1);
const PER_DAY = 1500;
const ORIGINS = ['MCI', 'LAX', 'ORD', 'JFK', 'SEA', 'ATL', 'DEN', 'SFO'];

/** One simulated day: PER_DAY requests scored by two models, each label an hour later. */
function day<F extends { id: number; path: string; offset: number }>(store: IngestStore, file: F, d: number): F {
  const preds: PredictionRecord[] = [];
  const labels: LabelRecord[] = [];
  for (let k = 0; k < PER_DAY; k++) {
    const i = d * PER_DAY + k;
    const ts = T0 + d * DAY_MS + Math.floor((k * DAY_MS) / PER_DAY);
    const features = { hour: (k * 24 / PER_DAY) | 0, distance: 100 + ((i * 37) % 2400), origin: ORIGINS[i % ORIGINS.length], carrier: `C${i % 13}` };
    for (const model of ['flights', 'flights-short']) {
      preds.push({ kind: 'prediction', ts, id: `r-${i}`, model, version: 1, features, prediction: i % 2, score: ((i * 7919) % 1000) / 1000, scores: null });
    }
    labels.push({ kind: 'label', ts: ts + 3_600_000, id: `r-${i}`, label: (i * 31) % 3 === 0 ? 1 : 0 });
  }
  const offset = file.offset + 1000;
  store.commitBatch(file, offset, 0, preds, labels, []);
  return { ...file, offset };
}

function sizeOf(db: Db, path: string): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return statSync(path).size;
}

/** Runs `days` simulated days with a retention pass after each; the file size after each day. */
async function simulate(db: Db, path: string, days: number): Promise<number[]> {
  const store = new IngestStore(db);
  let file = { ...store.registerFile('/logs/serving.jsonl', '1:1', 'h', 1, false), offset: 0 };
  const retention = new Retention(db, { rawDays: 7, newestTs: () => store.newestTs(), batchRows: 500 });
  const sizes: number[] = [];
  for (let d = 0; d < days; d++) {
    file = day(store, file, d);
    saveDriftWindow(db, { model: 'flights@1', windowStart: T0 + d * DAY_MS, windowEnd: T0 + (d + 1) * DAY_MS, rows: PER_DAY, datasetDrifted: false, share: 0, results: '[]' });
    const pass = await retention.runOnce();
    if (d >= 8) assert.equal(pass.deleted.predictions, 2 * PER_DAY, `day ${d + 1}: one day of predictions expires`);
    sizes.push(sizeOf(db, path));
  }
  return sizes;
}

test('30 simulated days at a steady rate with rawDays 7: the file after 30 days is within 10% of the file after 8', async (t) => {
  const path = join(tempDir(), 'mlops.db');
  const db = openDb(path);
  assert.equal(db.pragma('auto_vacuum', { simple: true }), 2, 'a new database uses incremental auto-vacuum');
  const sizes = await simulate(db, path, 30);
  const ratio = sizes[29] / sizes[7];
  t.diagnostic(`file size by day: ${sizes.map((b) => (b / 1048576).toFixed(2)).join(' ')} MB; day 30 / day 8 = ${ratio.toFixed(3)}`);
  // Without retention the file grows with the days: 30 days hold 3.75x the rows of 8.
  assert.ok(Math.abs(ratio - 1) <= 0.1, `after 8 days ${sizes[7]} bytes, after 30 days ${sizes[29]} bytes (ratio ${ratio.toFixed(3)})`);
  const kept = db.prepare('SELECT min(ts) AS lo, count(*) AS n FROM predictions').get() as { lo: number; n: number };
  assert.ok(kept.lo >= T0 + 22 * DAY_MS, 'nothing older than 7 days before the newest row');
  // the horizon is 7 days before the newest row (day 30, 23:59:02): 7 days and that instant of day 23
  assert.equal(kept.n, 2 * PER_DAY * 7 + 2, 'the last 7 days stay whole');
  assert.equal(db.prepare('SELECT count(*) FROM labels WHERE ts < ?').pluck().get(T0 + 22 * DAY_MS), 0);
  // aggregates and counters stay
  assert.equal(db.prepare('SELECT count(*) FROM drift_windows').pluck().get(), 30);
  assert.equal(db.prepare('SELECT sum(predictions) FROM files').pluck().get(), 30 * 2 * PER_DAY, 'per-file counters keep the totals');
  assert.equal(db.pragma('freelist_count', { simple: true }), 0, 'freed pages went back to the disk');
  db.close();
});

test('a database made before incremental auto-vacuum stays flat too: SQLite reuses the freed pages', async () => {
  const path = join(tempDir(), 'mlops.db');
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  migrate(raw);
  assert.equal(raw.pragma('auto_vacuum', { simple: true }), 0, 'as an older build made it');
  raw.close();
  const db = openDb(path);
  const sizes = await simulate(db, path, 20);
  const ratio = sizes[19] / sizes[7];
  assert.ok(Math.abs(ratio - 1) <= 0.1, `after 8 days ${sizes[7]} bytes, after 20 days ${sizes[19]} bytes (ratio ${ratio.toFixed(3)})`);
  db.close();
});

test('rows analytics have not read yet stay, however old (a backlog after downtime is analysed first)', async () => {
  const path = join(tempDir(), 'mlops.db');
  const db = openDb(path);
  const store = new IngestStore(db);
  let file = { ...store.registerFile('/logs/a.jsonl', '1:2', 'h', 1, false), offset: 0 };
  for (let d = 0; d < 12; d++) file = day(store, file, d);
  const readUpTo = { predictions: 2 * PER_DAY * 2, labels: PER_DAY * 2 };
  const retention = new Retention(db, { rawDays: 7, newestTs: () => store.newestTs(), processed: () => readUpTo, batchRows: 700 });
  const pass = await retention.runOnce();
  assert.deepEqual([pass.deleted.predictions, pass.deleted.labels], [2 * PER_DAY * 2, PER_DAY * 2], 'only the two analysed days went');
  readUpTo.predictions = 1e9;
  readUpTo.labels = 1e9;
  const next = await retention.runOnce();
  // horizon: 7 days before day 12 23:59:02, so days 3-5 go but the last request of day 5
  assert.equal(next.deleted.predictions, 2 * PER_DAY * 3 - 2, 'the rest goes once read');
  db.close();
});

test('ingest --once with retention.rawDays deletes expired rows through the real CLI', () => {
  const root = tempDir();
  const watch = join(root, 'predictions');
  mkdirSync(watch);
  const lines: string[] = [];
  for (let d = 0; d < 10; d++) {
    for (let k = 0; k < 50; k++) {
      const i = d * 50 + k;
      lines.push(JSON.stringify({ ts: T0 + d * DAY_MS + k * 60_000, id: `r-${i}`, model: 'm', version: 1, features: { x: i % 5 }, prediction: i % 2 }));
      lines.push(JSON.stringify({ ts: T0 + d * DAY_MS + k * 60_000 + 1000, id: `r-${i}`, label: 1 }));
    }
  }
  writeFileSync(join(watch, 'a.jsonl'), `${lines.join('\n')}\n`);
  writeFileSync(join(root, 'mlops.config.json'), JSON.stringify({ retention: { rawDays: 3 } }));
  const dbPath = join(root, 'mlops.db');
  const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');
  const r = spawnSync(process.execPath, [BIN, 'ingest', '--once', '--db', dbPath, '--watch', watch], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // newest prediction: day 9 at 00:49; horizon 3 days before it; days 0-5 and 49 rows of day 6 expire
  assert.match(r.stderr, /retention: deleted 349 predictions, 349 labels older than 3 days before the newest row/);
  const db = openDb(dbPath, { readonly: true });
  assert.equal(db.prepare('SELECT count(*) FROM predictions').pluck().get(), 151);
  assert.equal(db.prepare('SELECT count(*) FROM labels').pluck().get(), 151);
  db.close();
});

test('the console\'s engine runs retention while it ingests (first pass a few seconds after start)', { timeout: 120_000 }, async () => {
  const { Engine } = await import('../../src/engine/engine.js');
  const { DEFAULT_CONFIG } = await import('../../src/config.js');
  const root = tempDir();
  const watch = join(root, 'predictions');
  mkdirSync(watch);
  const lines: string[] = [];
  for (let d = 0; d < 10; d++) {
    for (let k = 0; k < 20; k++) lines.push(JSON.stringify({ ts: T0 + d * DAY_MS + k * 60_000, id: `r-${d}-${k}`, model: 'm', version: 1, features: { x: k % 5 }, prediction: k % 2 }));
  }
  writeFileSync(join(watch, 'a.jsonl'), `${lines.join('\n')}\n`);
  const config = structuredClone(DEFAULT_CONFIG);
  config.db = join(root, 'mlops.db');
  config.watch = watch;
  config.retention = { rawDays: 2 };
  const engine = new Engine({ config, ingest: true });
  await engine.start();
  try {
    await engine.caughtUp();
    const count = (): number => engine.db.prepare('SELECT count(*) FROM predictions').pluck().get() as number;
    while (count() === 200) await new Promise((r) => setTimeout(r, 200));
    // newest: day 9 00:19; horizon 2 days before: days 0-6 and 19 rows of day 7 go
    assert.equal(count(), 200 - 7 * 20 - 19);
  } finally {
    await engine.stop();
  }
});

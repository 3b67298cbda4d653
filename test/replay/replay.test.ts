import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { listModels } from '../../store/registry.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { loadPredictor } from '../../src/models/predictor.js';
import { loadArtifact } from '../../src/registry/saveArtifact.js';
import { runReplay } from '../../src/replay/replay.js';
import { parseIncident } from '../../src/replay/incident.js';
import { FLIGHTS_CSV, FLIGHT_SCHEMA } from '../models/flights.js';
import { tempDir } from '../helpers/tmp.js';
import { tinyRegistry } from '../helpers/tinyRegistry.js';

const HOUR = 3_600_000;

function readLines(dir: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const f of readdirSync(dir).sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) if (line) out.push(JSON.parse(line) as Record<string, unknown>);
  }
  return out;
}

test('an artifact stored in SQLite predicts exactly as before it was stored', async () => {
  const { dbPath, rows } = await tinyRegistry();
  const db = openDb(dbPath);
  const [m] = listModels(db);
  const stored = loadArtifact(db, m.id);
  const fresh = await trainArtifact(rows, { type: 'logreg', label: 'delayed', schema: FLIGHT_SCHEMA, time: 'ts', epochs: 2 });
  const a = await loadPredictor(stored);
  // Trained with the same seed on the same rows: the stored copy must give the same scores.
  const b = await loadPredictor(fresh);
  const sample = rows.slice(0, 200);
  assert.deepEqual(a.predict(sample).score, b.predict(sample).score);
  assert.equal(stored.schema.hour, 'numeric');
  // The slice spans Jan 1–5; the cut first and last day are left out of the weekday profiles.
  assert.ok(stored.periodProfiles && Object.keys(stored.periodProfiles.features).length >= 2, 'per-weekday reference profiles');
  assert.ok(stored.scoreProfile && stored.scoreProfile.count > 0, 'training-score reference');
  a.dispose();
  b.dispose();
  db.close();
});

test('replay writes one line per row and serving model, and each label after its delay', async () => {
  const { dbPath } = await tinyRegistry();
  const out = join(tempDir(), 'predictions');
  const db = openDb(dbPath);
  const p = await runReplay(db, {
    data: FLIGHTS_CSV, label: 'delayed', time: 'ts', out, rate: 0, labelDelayMs: 2 * HOUR,
    from: Date.parse('2001-02-01T00:00:00Z'), until: Date.parse('2001-02-03T00:00:00Z'),
    incident: parseIncident('hour+6h@2001-02-02'),
  });
  db.close();
  const lines = readLines(out);
  const preds = lines.filter((l) => 'model' in l);
  const labels = lines.filter((l) => 'label' in l && !('model' in l));
  assert.equal(p.rows, 2706 + 2718, 'flights of Feb 1 and 2');
  assert.equal(preds.length, p.rows * 2);
  assert.equal(labels.length, p.rows);
  assert.deepEqual(new Set(preds.map((l) => l.model)), new Set(['logreg', 'mlp']));
  const predTs = new Map(preds.map((l) => [l.id as string, Date.parse(l.ts as string)]));
  for (const l of labels) assert.equal(Date.parse(l.ts as string) - predTs.get(l.id as string)!, 2 * HOUR);
  // Labels arrive in event time: in each file, a label line comes after the prediction lines
  // of rows at least two hours younger than it (only the final flush may run ahead).
  const file = readFileSync(join(out, 'predictions-2001-02-01.jsonl'), 'utf8').split('\n').filter(Boolean).map((s) => JSON.parse(s) as Record<string, unknown>);
  let clock = 0;
  for (const l of file) {
    if ('model' in l) clock = Math.max(clock, Date.parse(l.ts as string));
    else assert.ok(Date.parse(l.ts as string) <= clock + 1, `label ${String(l.id)} written before its time`);
  }
  // The incident shifts hour by +6 (mod 24) from Feb 2 on, and only then.
  const csvHour = (ts: string): number => new Date(ts).getUTCHours();
  for (const l of preds) {
    const ts = l.ts as string;
    const h = (l.features as { hour: number }).hour;
    const expected = ts < '2001-02-02' ? csvHour(ts) : (csvHour(ts) + 6) % 24;
    assert.equal(h, expected, `hour of ${ts}`);
  }
});

/**
 * Fault 1 of issue 13: one absurd timestamp froze the console. An epoch of 9e15 ms was stored
 * and every snapshot then threw "Invalid time value"; a `9999-12-31` line made every later row
 * late, so no drift window closed again; `serve` accepted both. Fault run: both lines stored
 * (2 of 2), windows after the 9999 line 0. Now: both quarantined, every complete day closes,
 * serve answers 400, and an engine error is on the console's flash line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render } from 'ink-testing-library';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { IngestService, timeRangeOf } from '../../src/ingest/ingestService.js';
import { TimeRange } from '../../src/core/timeRange.js';
import { startServer } from '../../src/serve/server.js';
import { EngineHost } from '../../src/engine/engineHost.js';
import { App } from '../../components/App.js';
import { parseConfig } from '../../src/config.js';
import { predictionLine, tempDir } from '../helpers/tmp.js';
import { tinyRegistry } from '../helpers/tinyRegistry.js';
import { runEngine } from '../helpers/flightsStream.js';
import { DAY_MS, LIVE_START, appendLines, predictionLine as synthLine, syntheticRows, syntheticSetup } from '../engine/syntheticStream.js';
import { makeSnapshot, recorder, source, until } from '../components/fixtures.js';

const absurd = (id: string, ts: unknown): string => JSON.stringify({ ts, id, model: 'm', version: 1, features: { x: 1 }, prediction: 1, score: 0.5 });

test('times outside the sane range are quarantined with the reason; the rest is stored', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.jsonl'), [
    predictionLine(1), absurd('far', 9e15), absurd('end', '9999-12-31'), absurd('before', '1969-12-31T23:59:59Z'),
    predictionLine(2), absurd('tomorrow+', Date.now() + 3 * DAY_MS), predictionLine(3), '',
  ].join('\n'));
  const db = openDb(join(dir, 'mlops.db'));
  try {
    await new IngestService(new IngestStore(db), { dir }).scanOnce();
    const ids = db.prepare('SELECT request_id FROM predictions ORDER BY id').pluck().all();
    assert.deepEqual(ids, ['r-1', 'r-2', 'r-3'], 'fault run stored 7 of 7, 9e15 and 9999-12-31 among them');
    const q = db.prepare('SELECT line_no, reason FROM quarantine ORDER BY line_no').all() as Array<{ line_no: number; reason: string }>;
    assert.deepEqual(q.map((r) => r.line_no), [2, 3, 4, 6]);
    for (const r of q) assert.match(r.reason, /^field "ts" out of range: time .* is (before|more than 24 h ahead)/);
    assert.match(q[0].reason, /9000000000000000/);
  } finally {
    db.close();
  }
});

test('the range follows the newest row and the clock, whichever is later, and is configurable', () => {
  let now = Date.UTC(2026, 0, 1);
  const r = new TimeRange({ notBefore: Date.UTC(2000, 0, 1), maxAheadMs: DAY_MS }, null, () => now);
  assert.equal(r.admit(Date.UTC(2001, 1, 3)), null, 'a replay of 2001 passes');
  assert.match(r.admit(Date.UTC(1999, 11, 31)) ?? '', /before 2000-01-01/);
  assert.equal(r.admit(now + DAY_MS - 1), null);
  assert.equal(r.admit(now + 1.9 * DAY_MS), null, 'a day ahead of the newest accepted row');
  assert.notEqual(r.admit(now + 3 * DAY_MS), null);
  now += 10 * DAY_MS;
  assert.equal(r.admit(now + 0.5 * DAY_MS), null, 'the clock moves the bound');
  // A row stored before the rule existed does not widen it.
  assert.notEqual(new TimeRange(undefined, Date.UTC(9999, 11, 31)).admit(Date.UTC(9000, 0, 1)), null);
  const cfg = parseConfig('{"ingest":{"notBefore":"2000-01-01","maxAhead":"2h"}}');
  assert.equal(cfg.ingest.maxAhead, '2h');
  assert.throws(() => parseConfig('{"ingest":{"maxAhead":"soon"}}'), /config key "ingest.maxAhead"/);
  assert.throws(() => timeRangeOf(parseConfig('{"ingest":{"notBefore":"yesterday"}}')), /config key "ingest.notBefore"/);
});

test('a 9999-12-31 line no longer stops drift windows from closing', async () => {
  const setup = await syntheticSetup(false);
  const rows = syntheticRows(3, LIVE_START, 4, 300);
  const lines = rows.map((r, i) => synthLine(r, `q-${i}`, 'm'));
  // After the first day, one line from the end of time.
  const cut = rows.findIndex((r) => r.ts >= LIVE_START + DAY_MS);
  lines.splice(cut, 0, absurd('end', '9999-12-31T00:00:00Z'));
  appendLines(join(setup.logs, 'p.jsonl'), lines);
  const run = await runEngine(setup.config);
  try {
    const s = run.engine.current()!;
    assert.equal(s.ingest.quarantined, 1);
    assert.equal(s.problem ?? null, null);
    const closed = new Set(run.windows.map((w) => w.start));
    // Fault run: the windows after the 9999 line never closed (1 of 3 complete days).
    assert.ok(closed.size >= 3, `complete days closed: ${closed.size}`);
  } finally {
    await run.engine.stop();
  }
});

test('serve answers 400 to a time outside the range', async () => {
  const { dbPath } = await tinyRegistry();
  const db = openDb(dbPath);
  const s = await startServer(db, { out: join(tempDir(), 'p'), port: 0 });
  try {
    const features = { hour: 18, dow: 'Fri', distance: 405, origin: 'MCI', destination: 'MDW' };
    for (const ts of [9e15, '9999-12-31', '1969-06-01T00:00:00Z']) {
      const r = await fetch(`${s.url}/predict`, { method: 'POST', body: JSON.stringify({ id: 'x', ts, features }) });
      assert.equal(r.status, 400, `predict ts ${ts}: fault run 200`);
      assert.match(((await r.json()) as { error: string }).error, /"ts" out of range/);
      const l = await fetch(`${s.url}/label`, { method: 'POST', body: JSON.stringify({ id: 'x', ts, label: 1 }) });
      assert.equal(l.status, 400, `label ts ${ts}`);
    }
    const ok = await fetch(`${s.url}/predict`, { method: 'POST', body: JSON.stringify({ id: 'y', ts: '2001-03-02T18:00:00Z', features }) });
    assert.equal(ok.status, 200);
  } finally {
    await s.close();
    db.close();
  }
});

test('an engine error reaches the flash line of the frame the console has, not a silent stale frame', async () => {
  // A database written before the range rule can hold such a row: the engine's pass throws on it.
  const setup = await syntheticSetup(false);
  appendLines(join(setup.logs, 'p.jsonl'), syntheticRows(5, LIVE_START, 0.2, 200).map((r, i) => synthLine(r, `q-${i}`, 'm')));
  const host = new EngineHost(setup.config);
  await host.start();
  try {
    await until(() => (host.current()?.ingest.predictions ?? 0) >= 40, 'the first rows');
    const db = openDb(setup.config.db);
    db.prepare(`INSERT INTO predictions (request_id, model, version, ts, features, prediction, score, scores, file_id, line_no)
      VALUES ('old', 'm', 1, 9e15, '{"x":1,"z":1,"c":"a"}', '1', 0.5, NULL, (SELECT min(id) FROM files), 0)`).run();
    db.close();
    await until(() => host.errors.length > 0, 'the engine error', 20_000);
    await until(() => /Invalid time value|engine/.test(host.current()?.problem ?? ''), 'the problem in the snapshot');
    const r = render(React.createElement(App, { snapshots: host, commands: recorder(), noColor: true, size: { columns: 100, rows: 24 } }));
    await until(() => /Invalid time value/.test(r.lastFrame() ?? ''), 'the error on the flash line');
    r.unmount();
  } finally {
    await host.stop();
  }
});

test('the flash line shows the engine problem until an operator flash replaces it', async () => {
  const src = source(makeSnapshot({ problem: 'ingest: database is locked; retry 3 in 4 s' }));
  const r = render(React.createElement(App, { snapshots: src, commands: recorder(), noColor: true, size: { columns: 100, rows: 24 } }));
  await until(() => /database is locked; retry 3/.test(r.lastFrame() ?? ''), 'the problem');
  src.push(makeSnapshot({ problem: null }));
  await until(() => !/database is locked/.test(r.lastFrame() ?? ''), 'cleared');
  r.unmount();
});

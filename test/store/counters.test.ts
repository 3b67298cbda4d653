/**
 * The row counters `status` reads (store/counters.ts) against full COUNTs of the rows, after
 * everything that adds or removes rows: ingest through the real CLI with labels before and
 * after their predictions, re-read duplicates, conflicts and quarantined lines; retention
 * deleting predictions, labels and quarantined lines; a writer that does not count (a fixture
 * inserting rows); the fleet writer with redelivered lines; and the migration's backfill of a
 * database an older build made. After a SIGKILL mid-batch: test/ingest/crash.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDb } from '../../store/db.js';
import { MIGRATIONS } from '../../store/migrations.js';
import { catchUpCounts, fullRowCounts, rowCounts } from '../../store/counters.js';
import { FleetStore, type RemoteLine } from '../../store/fleetStore.js';
import { pruneBatch } from '../../store/retention.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
const cli = (cwd: string, args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
const T0 = Date.parse('2001-02-01T00:00:00Z');
const DAY = 86_400_000;
const pred = (id: string, model: string, ts: number, prediction = 1, version = 1) =>
  JSON.stringify({ ts, id, model, version, features: { x: 1 }, prediction, score: prediction ? 0.8 : 0.2 });
const label = (id: string, ts: number, v = 1) => JSON.stringify({ ts, id, label: v });

interface StatusJson { counts: { predictions: number; labels: number; quarantined: number; requests: number }; models: Array<{ model: string; version: number; predictions: number; labelled: number }> }

/** `status --json` and `check --json` of the real CLI, and the full counts read here. */
function assertTrue(root: string, db: string, expected?: Partial<StatusJson['counts']>, when = '', counted = true): StatusJson {
  const s = cli(root, ['--db', db, 'status', '--json']);
  assert.equal(s.status, 0, s.stderr);
  const status = JSON.parse(s.stdout) as StatusJson;
  const ro = openDb(db, { readonly: true });
  const full = fullRowCounts(ro);
  // the writers counted their rows as they committed them: status reads no delta
  if (counted) {
    assert.deepEqual(ro.prepare('SELECT prediction_cursor AS p, label_cursor AS l, quarantine_cursor AS q FROM row_counts').get(),
      ro.prepare('SELECT (SELECT coalesce(max(id), 0) FROM predictions) AS p, (SELECT coalesce(max(id), 0) FROM labels) AS l, (SELECT coalesce(max(id), 0) FROM quarantine) AS q').get(), `${when}: counted up to the newest rows`);
  }
  ro.close();
  assert.deepEqual(status.counts, { predictions: full.predictions, labels: full.labels, quarantined: full.quarantined, requests: full.requests }, `${when}: status counts = full counts`);
  assert.deepEqual(status.models.map(({ model, version, predictions, labelled }) => ({ model, version, predictions, labelled })), full.models, `${when}: per model = full counts`);
  if (expected) assert.deepEqual({ ...status.counts, ...expected }, status.counts, `${when}: the counts the fixture holds`);
  const c = cli(root, ['--db', db, 'check', '--json']);
  assert.equal(c.status, 0, `${when}: check passes: ${c.stdout}${c.stderr}`);
  const item = (JSON.parse(c.stdout) as { items: Array<{ name: string; level: string }> }).items.find((i) => i.name === 'counters');
  assert.equal(item?.level, 'ok', `${when}: check compares the counters`);
  return status;
}

test('status counts equal full counts after ingest with early labels, duplicates, conflicts and bad lines', () => {
  const root = tempDir();
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  const db = join(root, 'mlops.db');
  writeFileSync(join(dir, 'a.jsonl'), [
    label('r-0', T0 + 10), // the label before its predictions
    pred('r-0', 'a', T0), pred('r-0', 'b', T0),
    pred('r-1', 'a', T0 + 1000), pred('r-1', 'b', T0 + 1000), label('r-1', T0 + 2000),
    pred('r-2', 'a', T0 + 2000),
    pred('r-1', 'a', T0 + 1000, 0), // a conflict: another prediction for the same key
    label('r-1', T0 + 3000, 0), // a corrected label: a conflict
    'not json', '{"id":"r-9"}',
    pred('r-3', 'a', T0 + 3000, 1, 2),
  ].join('\n') + '\n');
  let r = cli(root, ['ingest', '--once', '--quiet', '--db', db, '--watch', dir]);
  assert.equal(r.status, 0, r.stderr);
  const first = assertTrue(root, db, { predictions: 6, labels: 2, quarantined: 2, requests: 4 }, 'first ingest');
  assert.deepEqual(first.models.map((m) => [`${m.model}@${m.version}`, m.predictions, m.labelled]), [['a@1', 3, 2], ['a@2', 1, 0], ['b@1', 2, 2]]);

  // The same lines in a second file: every one a duplicate; a late label pairs with two models.
  // A new model's prediction for a request labelled in the first run: labelled when it arrives.
  writeFileSync(join(dir, 'b.jsonl'), [pred('r-0', 'a', T0), pred('r-2', 'a', T0 + 2000), label('r-2', T0 + 5000), pred('r-2', 'b', T0 + 2000), label('r-0', T0 + 10),
    pred('r-1', 'c', T0 + 1000)].join('\n') + '\n');
  r = cli(root, ['ingest', '--once', '--quiet', '--db', db, '--watch', dir]);
  assert.equal(r.status, 0, r.stderr);
  const second = assertTrue(root, db, { predictions: 8, labels: 3, quarantined: 2, requests: 4 }, 'after duplicates');
  assert.deepEqual(second.models.map((m) => [`${m.model}@${m.version}`, m.predictions, m.labelled]), [['a@1', 3, 3], ['a@2', 1, 0], ['b@1', 3, 3], ['c@1', 1, 1]]);
});

test('retention keeps the counters true: predictions, labels and quarantined lines deleted', () => {
  const root = tempDir();
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  const lines: string[] = [];
  for (let d = 0; d < 10; d++) {
    for (let k = 0; k < 20; k++) {
      const i = d * 20 + k;
      const ts = T0 + d * DAY + k * 60_000;
      lines.push(pred(`r-${i}`, 'm', ts));
      if (k % 3 === 0) lines.push(pred(`r-${i}`, 'shadow', ts)); // a request in two models
      // a label for most requests; some arrive a day late, so labels and predictions expire apart
      if (k % 4 !== 0) lines.push(label(`r-${i}`, ts + (k % 5 === 0 ? DAY : 1000)));
    }
    lines.push('garbage');
  }
  writeFileSync(join(dir, 'a.jsonl'), `${lines.join('\n')}\n`);
  writeFileSync(join(root, 'mlops.config.json'), JSON.stringify({ retention: { rawDays: 3 } }));
  const db = join(root, 'mlops.db');
  const r = cli(root, ['ingest', '--once', '--db', db, '--watch', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /retention: deleted \d+ predictions/);
  const s = assertTrue(root, db, undefined, 'after retention');
  assert.ok(s.counts.predictions < 200 + 70 && s.counts.predictions > 0, `some predictions stayed and some went (${s.counts.predictions})`);

  // Quarantined lines expire by wall time: delete them all but the newest directly.
  const w = openDb(db);
  const deleted = pruneBatch(w, 'quarantine', Date.now() + DAY, 1000);
  assert.equal(deleted, 9, 'all but the newest quarantined line');
  // and every expired prediction and label, oldest first, past any horizon
  while (pruneBatch(w, 'predictions', T0 + 20 * DAY, 7) > 0);
  while (pruneBatch(w, 'labels', T0 + 20 * DAY, 7) > 0);
  assert.equal(w.prepare('SELECT count(*) FROM predictions').pluck().get(), 1, 'the newest prediction stays (rowids only grow)');
  w.close();
  assertTrue(root, db, { predictions: 1, labels: 1, quarantined: 1, requests: 1 }, 'after deleting all but the newest rows');
});

test('rows written without counting are seen by status at once and counted by the next writer', () => {
  const root = tempDir();
  const db = join(root, 'mlops.db');
  const w = openDb(db);
  const ins = w.prepare(`INSERT INTO predictions (request_id, model, version, ts, features, prediction, score, scores, file_id, line_no)
    VALUES (?, 'm', ?, ?, '{}', '1', 0.5, NULL, 0, 0)`);
  w.prepare("INSERT INTO files (id, path, inode, head_hash, head_len, first_seen, updated_at) VALUES (0, 'x', '1:1', '', 0, 0, 0)").run();
  for (let i = 0; i < 50; i++) ins.run(`r-${i % 40}`, i < 40 ? 1 : 2, T0 + i);
  w.prepare("INSERT INTO labels (request_id, ts, label, file_id, line_no) VALUES ('r-1', 0, '1', 0, 0)").run();
  assert.deepEqual(rowCounts(w), fullRowCounts(w), 'the delta above the cursors');
  assert.equal(w.prepare('SELECT prediction_cursor FROM row_counts').pluck().get(), 0, 'nothing counted yet');
  w.close();
  assertTrue(root, db, { predictions: 50, labels: 1, requests: 40 }, 'uncounted rows', false);
  const again = openDb(db);
  again.transaction(() => catchUpCounts(again))();
  assert.equal(again.prepare('SELECT prediction_cursor FROM row_counts').pluck().get(), 50);
  assert.deepEqual(rowCounts(again), fullRowCounts(again));
  // emptied by hand (not retention): rowids start again below the cursor, the counts start over
  again.prepare('DELETE FROM predictions').run();
  again.prepare(`INSERT INTO predictions (request_id, model, version, ts, features, prediction, score, scores, file_id, line_no)
    VALUES ('r-1', 'n', 1, 0, '{}', '1', 0.5, NULL, 0, 0)`).run();
  assert.deepEqual(rowCounts(again), fullRowCounts(again), 'read: the rows, not the stale counts');
  again.transaction(() => catchUpCounts(again))();
  assert.deepEqual(rowCounts(again), { predictions: 1, labels: 1, quarantined: 0, requests: 1, models: [{ model: 'n', version: 1, predictions: 1, labelled: 1 }] });
  again.close();
});

test('the fleet writer counts what it stores, not redelivered lines', () => {
  const root = tempDir();
  const db = join(root, 'mlops.db');
  const w = openDb(db);
  const store = new FleetStore(w);
  const origin = (n: number, host = 'h1') => ({ id: `s:1:${n}`, host, ship: 's', fileId: 1, path: '/p/a.jsonl' });
  const p = (n: number, model: string, host?: string): RemoteLine => ({ kind: 'prediction', origin: origin(n, host), record: { kind: 'prediction', ts: T0 + n, id: `r-${n >> 1}`, model, version: 1, features: { x: n }, prediction: 1, score: 0.5, scores: null, line: n } });
  const l = (n: number, req: number): RemoteLine => ({ kind: 'label', origin: origin(n), record: { kind: 'label', ts: T0 + n, id: `r-${req}`, label: 0, line: n } });
  const q = (n: number): RemoteLine => ({ kind: 'quarantined', origin: origin(n), line: { lineNo: n, reason: 'not JSON', text: 'x', bytes: 1 } });
  const batch1 = [p(0, 'a'), p(1, 'b'), l(2, 0), p(4, 'a', 'h2'), q(5)];
  store.commit(batch1);
  store.commit([...batch1, p(6, 'a'), l(7, 3), p(7, 'b')]); // redelivered, then new lines
  const c = rowCounts(w);
  assert.deepEqual(c, fullRowCounts(w));
  assert.deepEqual([c.predictions, c.labels, c.quarantined, c.requests], [5, 2, 1, 3]);
  w.close();
  assertTrue(root, db, undefined, 'fleet');
});

test('the migration backfills the counters of a database an older build made', () => {
  const root = tempDir();
  const db = join(root, 'mlops.db');
  const old = new Database(db);
  // schema 7, as the build before the counters left it
  for (let v = 0; v < 7; v++) old.exec(MIGRATIONS[v]);
  old.pragma('user_version = 7');
  old.prepare("INSERT INTO files (id, path, inode, head_hash, head_len, first_seen, updated_at) VALUES (1, 'x', '1:1', '', 0, 0, 0)").run();
  const ins = old.prepare(`INSERT INTO predictions (request_id, model, version, ts, features, prediction, score, scores, file_id, line_no)
    VALUES (?, ?, 1, ?, '{}', '1', 0.5, NULL, 1, 0)`);
  for (let i = 0; i < 300; i++) ins.run(`r-${i % 200}`, i < 200 ? 'a' : 'b', T0 + i);
  for (let i = 0; i < 120; i++) old.prepare("INSERT INTO labels (request_id, ts, label, file_id, line_no) VALUES (?, 0, '1', 1, 0)").run(`r-${i * 2}`);
  old.prepare("INSERT INTO quarantine (file_id, path, line_no, reason, text, bytes, at) VALUES (1, 'x', 1, 'bad', 'x', 1, 0)").run();
  old.close();
  const w = openDb(db); // migrates
  assert.equal(w.prepare('SELECT prediction_cursor FROM row_counts').pluck().get(), 300, 'counted up to the newest row');
  const c = rowCounts(w);
  assert.deepEqual(c, fullRowCounts(w));
  assert.deepEqual(c.models.map((m) => [m.model, m.predictions, m.labelled]), [['a', 200, 100], ['b', 100, 50]]);
  w.close();
  assertTrue(root, db, { predictions: 300, labels: 120, quarantined: 1, requests: 200 }, 'migrated');
});

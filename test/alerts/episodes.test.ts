// Alert episodes on a real SQLite file (src/alerts/episodes.ts), and the `alerts` command on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { listEpisodes, liveEpisodes, notificationsByStatus, type EpisodeRow } from '../../store/alertEpisodes.js';
import { AlertBook, isDataDriftPage } from '../../src/alerts/episodes.js';
import { Engine } from '../../src/engine/engine.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');
const DAY = 86_400_000;
const day = (d: number): number => Date.UTC(2001, 1, 1) + d * DAY + 3_600_000;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

function setup() {
  const dir = tempDir();
  const dbPath = join(dir, 'mlops.db');
  const db = openDb(dbPath);
  const book = new AlertBook(db, { windowMs: DAY, resolveAfterWindows: 2, featureWindows: 2, targets: ['webhook'] });
  const all = (): EpisodeRow[] => listEpisodes(db, { all: true, limit: 100 });
  return { dir, dbPath, db, book, all };
}

test('an episode opens once, updates while its condition holds and resolves after two settled clear windows', () => {
  const { db, book, all } = setup();
  book.raise('calibration', 'm@1', 'page', 'first', day(0));
  book.raise('calibration', 'm@1', 'page', 'same day again', day(0) + 1000);
  book.raise('calibration', 'm@1', 'page', 'next day', day(1));
  assert.equal(all().length, 1);
  assert.equal(all()[0].message, 'next day');
  assert.equal(all()[0].heldWindows, 2);
  assert.equal(all()[0].updates, 3);
  // Traffic reaches day 3: day 2 is closed but not settled (its labels may still come); day 1 is the last held.
  book.advance(day(3));
  assert.equal(all()[0].state, 'open');
  book.advance(day(4)); // day 2 settled: one clear window
  assert.equal(all()[0].state, 'open');
  book.advance(day(5)); // day 3 settled: two clear windows
  assert.equal(all()[0].state, 'resolved');
  assert.equal(all()[0].resolution, 'clear for 2 windows');
  // A new firing after the resolution is a new episode.
  book.raise('calibration', 'm@1', 'page', 'again', day(6));
  assert.equal(all().length, 2);
  const sent = notificationsByStatus(db, 'pending', 10).map((n) => `${n.episodeId}:${n.event}`).sort();
  assert.deepEqual(sent, [`${all()[1].id}:open`, `${all()[1].id}:resolve`, `${all()[0].id}:open`].sort());
  db.close();
});

test('a feature drifting one window is info; two consecutive windows page; info episodes never notify', () => {
  const { db, book, all } = setup();
  book.raise('feature-drift', 'hour', 'sustained', 'blip', day(0));
  assert.equal(all()[0].severity, 'info');
  book.advance(day(5));
  assert.equal(all()[0].state, 'resolved');
  book.raise('feature-drift', 'hour', 'sustained', 'day 10', day(10));
  book.raise('feature-drift', 'hour', 'sustained', 'day 11', day(11));
  const e = all().find((x) => x.state !== 'resolved')!;
  assert.equal(e.severity, 'page');
  book.raise('error-rate', 'm@1', 'info', 'page-hinkley fired', day(11));
  const pending = notificationsByStatus(db, 'pending', 10);
  assert.deepEqual(pending.map((n) => [n.episodeId, n.event]), [[e.id, 'open']]);
  db.close();
});

test('whether the inputs drifted (choose.requireDrift) is answered from the book and agrees with the table as episodes open, escalate, are acknowledged and resolve', async () => {
  const { dbPath, db, book } = setup();
  const table = (): boolean => liveEpisodes(db).some(isDataDriftPage);
  const check = (want: boolean, when: string): void => {
    assert.equal(table(), want, `table, ${when}`);
    assert.equal(book.inputsDrifted(), want, `book, ${when}`);
  };
  check(false, 'no episode');
  book.raise('calibration', 'm@1', 'page', 'a page, not about the inputs', day(0));
  book.raise('feature-drift', 'hour', 'sustained', 'one window: info', day(0));
  check(false, 'a calibration page and a one-window feature blip');
  book.raise('feature-drift', 'hour', 'sustained', 'two windows: page', day(1));
  check(true, 'the feature held two windows');
  const feature = listEpisodes(db, { all: false, limit: 10 }).find((e) => e.kind === 'feature-drift')!;
  assert.equal(book.acknowledge(feature.id, { operator: 'alice', client: null }).ok, true);
  check(true, 'the feature page acknowledged (still live)');
  book.advance(day(5));
  check(false, 'every episode clear for two settled windows');
  book.raise('dataset-drift', 'm@1', 'page', 'dataset drift', day(6));
  check(true, 'a dataset-drift page');
  // A restarted engine's book starts from the table.
  assert.equal(new AlertBook(db, { windowMs: DAY, resolveAfterWindows: 2, featureWindows: 2, targets: [] }).inputsDrifted(), true);
  book.resolve('dataset-drift', 'm@1', 'gone');
  check(false, 'the dataset-drift page resolved');
  db.close();

  // The engine answers from its own book (what the choice policy asks on every snapshot).
  const engine = new Engine({ config: { ...DEFAULT_CONFIG, db: dbPath }, ingest: false });
  try {
    assert.equal(engine.inputsDrifted(), false);
    engine.raiseAlert('dataset-drift', 'm@1', 'page', 'dataset drift again', day(8));
    assert.equal(engine.inputsDrifted(), true);
    assert.equal(liveEpisodes(engine.db).some(isDataDriftPage), true);
    engine.resolveAlert('dataset-drift', 'm@1', 'gone again');
    assert.equal(engine.inputsDrifted(), false);
    assert.equal(liveEpisodes(engine.db).some(isDataDriftPage), false);
  } finally {
    await engine.stop();
  }
});

test('alerts --json lists live episodes with the fields the issue names; --all adds resolved ones; ack is audited', async () => {
  const { dbPath, db, book } = setup();
  book.raise('calibration', 'm@1', 'page', 'outcomes worse than m@1 expects', day(0));
  book.raise('error-rate', 'm@1', 'info', 'adwin fired', day(0));
  book.raise('dataset-drift', 'm@1', 'page', '60% of features drifted', day(0));
  book.advance(day(1));
  book.raise('calibration', 'm@1', 'page', 'still', day(1));
  book.advance(day(4)); // error-rate and dataset-drift (day 0) resolve; calibration (day 1) not yet
  db.close();
  const live = JSON.parse((await cli(['--db', dbPath, 'alerts', '--json'])).stdout);
  assert.deepEqual(live.alerts.map((a: { kind: string }) => a.kind), ['calibration']);
  const a = live.alerts[0];
  for (const k of ['id', 'kind', 'subject', 'severity', 'state', 'openedAt', 'updatedAt', 'resolvedAt', 'message']) assert.ok(k in a, k);
  assert.equal(a.severity, 'page');
  assert.equal(a.state, 'open');
  assert.equal(a.resolvedAt, null);
  const every = JSON.parse((await cli(['--db', dbPath, 'alerts', '--json', '--all'])).stdout);
  assert.equal(every.alerts.length, 3);
  assert.ok(every.alerts.filter((x: { state: string }) => x.state === 'resolved').every((x: { resolvedAt: string | null }) => x.resolvedAt !== null));

  const ack = await cli(['--db', dbPath, 'alerts', 'ack', String(a.id)]);
  assert.equal(ack.code, 0, ack.stderr);
  assert.match(ack.stdout, new RegExp(`alert ${a.id} \\(calibration m@1\\) acknowledged`));
  const again = await cli(['--db', dbPath, 'alerts', 'ack', String(a.id)]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already acknowledged by /);
  const missing = await cli(['--db', dbPath, 'alerts', 'ack', '999']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no alert 999/);
  const text = await cli(['--db', dbPath, 'alerts']);
  assert.match(text.stdout, /page\s+acknowledged by \S+\s+calibration m@1: still/);
  const history = JSON.parse((await cli(['--db', dbPath, 'history', '--json'])).stdout) as Array<{ action: string }>;
  assert.ok(history.some((h) => h.action === 'alert-ack'));
  assert.match((await cli(['alerts', '--help'])).stdout, /Examples:/);
});

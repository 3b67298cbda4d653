/**
 * Fault 10 of issue 13: conflicts were dropped without a record. A second, different
 * prediction for the same (id, model, version), or a corrected label, only incremented the
 * duplicate counter (fault run: 0 conflict records, duplicates 2); 10k distinct feature names
 * created 10k schema rows (fault run: 10,001). Now both versions are kept in `conflicts`,
 * counted per model in `status`, and the schema holds at most ingest.maxFeatureNames names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../store/db.js';
import { tempDir } from '../helpers/tmp.js';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../components/App.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { runEngine } from '../helpers/flightsStream.js';
import { recorder, source, until } from '../components/fixtures.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
const cli = (cwd: string, args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
const pred = (id: string, prediction: number, score: number, features: Record<string, unknown> = { x: 1 }, version = 1) =>
  JSON.stringify({ ts: 981158400000, id, model: 'm', version, features, prediction, score });
const label = (id: string, v: number) => JSON.stringify({ ts: 981162000000, id, label: v });

test('a different second prediction and a corrected label are kept with both versions, counted per model and shown', () => {
  const root = tempDir();
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  const db = join(root, 'mlops.db');
  writeFileSync(join(dir, 'a.jsonl'), [
    pred('r-1', 1, 0.7), pred('r-2', 0, 0.1), label('r-1', 1),
    pred('r-1', 1, 0.7), // the same line again: a re-log, not a conflict
    pred('r-1', 0, 0.2), // another prediction for the same request and model version
    pred('r-2', 0, 0.1, { x: 2 }), // same prediction, other inputs
    pred('r-1', 0, 0.2, { x: 1 }, 2), // another version: its own row
    label('r-1', 0), // a corrected label
    '',
  ].join('\n'));
  const r = cli(root, ['ingest', '--once', '--watch', dir, '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /ingested 3 predictions, 1 labels, 0 quarantined, 1 duplicates, 3 conflicts in/);
  const d = openDb(db, { readonly: true });
  try {
    const rows = d.prepare('SELECT kind, request_id, model, version, kept, other, line_no FROM conflicts ORDER BY id').all() as Array<{ kind: string; request_id: string; model: string | null; version: number | null; kept: string; other: string; line_no: number }>;
    assert.equal(rows.length, 3, 'fault run: 0 (only the duplicate counter moved)');
    const p = rows[0];
    assert.deepEqual([p.kind, p.request_id, p.model, p.version, p.line_no], ['prediction', 'r-1', 'm', 1, 5]);
    assert.deepEqual([JSON.parse(p.kept).prediction, JSON.parse(p.kept).score, JSON.parse(p.kept).line], [1, 0.7, 1]);
    assert.deepEqual([JSON.parse(p.other).prediction, JSON.parse(p.other).score], [0, 0.2]);
    assert.deepEqual(JSON.parse(rows[1].other).features, { x: 2 });
    assert.deepEqual([rows[2].kind, rows[2].request_id, JSON.parse(rows[2].kept).label, JSON.parse(rows[2].other).label], ['label', 'r-1', 1, 0]);
    // The stored row is still the first version: analytics do not flip on a late duplicate.
    assert.equal(d.prepare("SELECT score FROM predictions WHERE request_id = 'r-1' AND version = 1").pluck().get(), 0.7);
    assert.deepEqual(d.prepare('SELECT duplicates, conflicts FROM files').get(), { duplicates: 1, conflicts: 3 });
  } finally {
    d.close();
  }
  const j = JSON.parse(cli(root, ['status', '--json', '--db', db]).stdout) as { conflicts: unknown };
  assert.deepEqual(j.conflicts, [
    { kind: 'prediction', model: 'm', version: 1, count: 2 },
    { kind: 'label', model: null, version: null, count: 1 },
  ]);
  const t = cli(root, ['status', '--db', db]).stdout;
  assert.match(t, /conflicts \(the first version is used; both are kept in the conflicts table\)\n {2}m@1 {2}2 predictions differ from the stored one for the same request\n {2}labels {2}1 corrected/);
});

test('10k distinct feature names do not make 10k schema rows: past the bound, rows are quarantined with the reason', () => {
  const root = tempDir();
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  const db = join(root, 'mlops.db');
  const lines: string[] = [];
  for (let i = 0; i < 10_000; i++) lines.push(pred(`r-${i}`, 1, 0.5, { x: 1, [`user_${i}`]: i }));
  writeFileSync(join(dir, 'a.jsonl'), `${lines.join('\n')}\n`);
  const r = cli(root, ['ingest', '--once', '--watch', dir, '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  const d = openDb(db, { readonly: true });
  try {
    const names = d.prepare('SELECT count(*) FROM schema_fields').pluck().get() as number;
    assert.equal(names, 1000, 'fault run: 10,001 schema rows');
    assert.equal(d.prepare('SELECT count(*) FROM predictions').pluck().get(), 999);
    assert.equal(d.prepare('SELECT count(*) FROM quarantine').pluck().get(), 9001, 'nothing silently dropped');
    const q = d.prepare('SELECT line_no, reason, text FROM quarantine ORDER BY line_no LIMIT 1').get() as { line_no: number; reason: string; text: string };
    assert.equal(q.line_no, 1000);
    assert.equal(q.reason, 'feature "user_999" would be distinct feature name 1001: the schema holds at most 1000 (ingest.maxFeatureNames)');
    assert.match(q.text, /"id":"r-999"/);
  } finally {
    d.close();
  }
  // The bound is configurable.
  writeFileSync(join(root, 'cfg.json'), '{"ingest":{"maxFeatureNames":0}}');
  const bad = cli(root, ['ingest', '--once', '--watch', dir, '--db', db, '--config', join(root, 'cfg.json')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /config key "ingest.maxFeatureNames" must be a whole number of at least 1/);
});

test('the Events screen lists conflicting duplicates (key d) from the engine snapshot', async () => {
  const root = tempDir();
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.jsonl'), `${[pred('r-1', 1, 0.7), pred('r-1', 0, 0.2), label('r-1', 1), label('r-1', 0)].join('\n')}\n`);
  const config = structuredClone(DEFAULT_CONFIG);
  config.db = join(root, 'mlops.db');
  config.watch = dir;
  const run = await runEngine(config);
  try {
    const s = run.engine.current()!;
    assert.deepEqual(s.conflicts!.map((c) => [c.subject, c.requestId]), [['label', 'r-1'], ['m@1', 'r-1']]);
    const r = render(React.createElement(App, { snapshots: source(s), commands: recorder(), noColor: true, size: { columns: 160, rows: 24 } }));
    await until(() => (r.lastFrame() ?? '').length > 0, 'a frame');
    r.stdin.write('6');
    await until(() => /d conflicts \(2\)/.test(r.lastFrame() ?? ''), 'the conflicts tab');
    r.stdin.write('d');
    await until(() => /m@1 .*r-1 .*"prediction":1.*"prediction":0/.test(r.lastFrame() ?? ''), 'the conflict row with both versions');
    r.unmount();
  } finally {
    await run.engine.stop();
  }
});

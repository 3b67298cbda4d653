// `mlops-tui quality` through the real CLI: rules written into a config (created, or merged into
// an existing one), validated at load with the key named, usage errors, and the headless report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyRegistry } from '../helpers/tinyRegistry.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

const { dbPath } = await tinyRegistry();
const dir = dirname(dbPath);

test('quality rules --from creates the config file, and merges into an existing one keeping its keys', () => {
  const fresh = join(dir, 'fresh.json');
  let r = run(['quality', 'rules', '--from', 'logreg@1', '--config', fresh, '--db', dbPath]);
  assert.equal(r.status, 0, r.stderr);
  const cfg = JSON.parse(readFileSync(fresh, 'utf8'));
  assert.equal(cfg.quality.reference, 'logreg@1');
  assert.deepEqual(Object.keys(cfg.quality.rules).sort(), ['destination', 'distance', 'dow', 'hour', 'origin']);
  const existing = join(dir, 'existing.json');
  writeFileSync(existing, JSON.stringify({ drift: { window: '6h' }, quality: { rules: { hour: { type: 'numeric', max: 3 } } } }));
  r = run(['quality', 'rules', '--from', 'mlp@1', '--config', existing, '--db', dbPath]);
  assert.equal(r.status, 0, r.stderr);
  const merged = JSON.parse(readFileSync(existing, 'utf8'));
  assert.equal(merged.drift.window, '6h', 'other keys kept');
  assert.equal(merged.quality.reference, 'mlp@1');
  assert.notEqual(merged.quality.rules.hour.max, 3, 'the rules are replaced by the inferred ones');
});

test('errors: one sentence naming the key or the model, non-zero exit', () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ quality: { rules: { hour: { type: 'numeric', min: 30, max: 3 } } } }));
  let r = run(['quality', '--config', bad, '--db', dbPath]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /config key "quality\.rules\.hour\.min" must not be above "quality\.rules\.hour\.max"/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  r = run(['quality', 'rules', '--from', 'nosuch@4', '--config', join(dir, 'x.json'), '--db', dbPath]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no model nosuch@4 in the registry/);
  r = run(['quality', 'export', '--top', '0', '--db', dbPath]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--top must be a positive integer, not "0"/);
  r = run(['quality', '--db', join(dir, 'none.db')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no database at .*none\.db/);
  r = run(['quality', 'rules', '--db', dbPath]);
  assert.equal(r.status, 2, 'the reference model is required');
});

test('--help of each quality command has an example', () => {
  for (const args of [['quality'], ['quality', 'rules'], ['quality', 'export']]) {
    const r = run([...args, '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Example[s]?:\n\s+mlops-tui quality/);
  }
});

test('quality on a database with clean rows: every feature listed, nothing flagged, no gain to buy', () => {
  const logs = join(dir, 'predictions');
  mkdirSync(logs, { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const ts = Date.parse('2001-01-20T00:00:00Z') + i * 60_000;
    lines.push(JSON.stringify({ ts, id: `c-${i}`, model: 'logreg', version: 1, features: { hour: 6 + (i % 12), dow: 'Mon', distance: 500, origin: 'PHX', destination: 'LAS' }, prediction: 0, score: 0.2 }));
    lines.push(JSON.stringify({ ts: ts + 1, id: `c-${i}`, label: i % 5 === 0 ? 1 : 0 }));
  }
  writeFileSync(join(logs, 'a.jsonl'), `${lines.join('\n')}\n`);
  assert.equal(run(['ingest', '--once', '--quiet', '--db', dbPath, '--watch', logs]).status, 0);
  const r = run(['quality', '--json', '--db', dbPath]);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.model, 'logreg@1');
  assert.equal(report.rows, 200);
  assert.equal(report.labelled, 200);
  assert.equal(report.features.length, 5);
  for (const f of report.features) {
    assert.equal(f.violations.rows, 0, f.feature);
    assert.equal(f.gain.value, null);
    assert.ok('cost' in f && 'feature' in f);
  }
  const text = run(['quality', '--db', dbPath]);
  assert.match(text.stdout, /logreg@1: 200 predictions, 200 labelled/);
});

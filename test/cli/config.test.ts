/*
 * Config values that type-check but cannot work are refused at load with one sentence naming
 * the key and exit 2 (fault run: pollMs 0, maxLineBytes 0, heldOutShare 2 and
 * drift.window "banana" all loaded; --config DIR printed a raw EISDIR).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, ConfigError } from '../../src/config.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');

const BAD: Array<[unknown, string]> = [
  [{ ingest: { pollMs: 0 } }, 'ingest.pollMs'],
  [{ ingest: { maxLineBytes: 0 } }, 'ingest.maxLineBytes'],
  [{ gate: { heldOutShare: 2 } }, 'gate.heldOutShare'],
  [{ gate: { heldOutShare: 0 } }, 'gate.heldOutShare'],
  [{ gate: { evaluations: 0 } }, 'gate.evaluations'],
  [{ gate: { reliability: 1 } }, 'gate.reliability'],
  [{ drift: { window: 'banana' } }, 'drift.window'],
  [{ drift: { window: '0d' } }, 'drift.window'],
  [{ drift: { datasetShare: 1.5 } }, 'drift.datasetShare'],
  [{ retrain: { rows: 2.5 } }, 'retrain.rows'],
  [{ retention: { rawDays: -1 } }, 'retention.rawDays'],
  [{ redact: { email: 'encrypt' } }, 'redact.email'],
];

test('out-of-range values are refused with the key named', () => {
  for (const [cfg, key] of BAD) {
    assert.throws(() => parseConfig(JSON.stringify(cfg), 'x.json'), (e: unknown) => e instanceof ConfigError && e.message.includes(`"${key}"`), `${JSON.stringify(cfg)} names ${key}`);
  }
  const ok = parseConfig(JSON.stringify({ ingest: { pollMs: 250, maxLineBytes: 4096 }, gate: { heldOutShare: 0.3 }, drift: { window: '6h' }, retention: { rawDays: 7 }, redact: { email: 'hash', ssn: 'drop' } }));
  assert.equal(ok.retention.rawDays, 7);
  assert.deepEqual(ok.redact, { email: 'hash', ssn: 'drop' });
});

test('the CLI: one sentence naming the key, exit 2; --config DIR says it is a directory', () => {
  const dir = tempDir();
  for (const [cfg, key] of BAD.slice(0, 4).concat([BAD[6]])) {
    const path = join(dir, 'mlops.config.json');
    writeFileSync(path, JSON.stringify(cfg));
    const r = spawnSync(process.execPath, [BIN, 'status', '--config', path, '--db', join(dir, 'none.db')], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^mlops-tui: ${path.replace(/[.]/g, '\\.')}: config key "${key.replace('.', '\\.')}" must be .*, not `));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const cdir = join(dir, 'conf');
  mkdirSync(cdir);
  const r = spawnSync(process.execPath, [BIN, 'status', '--config', cdir], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`config file ${cdir} is a directory`));
  assert.doesNotMatch(r.stderr, /EISDIR/);
});

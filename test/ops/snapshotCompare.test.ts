/**
 * One pipeline: `snapshot --json` (the engine over the database, as the console shows it) and
 * `compare --json` (the store, as the CLI reads it) report the same agreement, accuracy
 * difference, interval and McNemar p for the same database; both through the real CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { syntheticStore } from '../registry/storeFixture.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('snapshot --json and compare --json: same agreement, Δ accuracy, interval and McNemar p', async () => {
  const dir = tempDir();
  const dbPath = join(dir, 'mlops.db');
  syntheticStore(dbPath, [{ name: 'old', noise: 1.2, alias: 'active' }, { name: 'new', noise: 0.6, alias: 'shadow' }], { rows: 6000, labelShare: 0.7 }).close();

  const snap = await cli(['--db', dbPath, 'snapshot', '--json'], dir);
  assert.equal(snap.code, 0, snap.stderr);
  const s = JSON.parse(snap.stdout);
  assert.equal(s.ingest.caughtUp, true);
  assert.equal(s.pairs.length, 1);
  const p = s.pairs[0];
  assert.equal(p.candidate, 'new@1');
  assert.equal(p.active, 'old@1');

  const cmp = await cli(['--db', dbPath, 'compare', '--json'], dir);
  assert.equal(cmp.code, 0, cmp.stderr);
  const [c] = JSON.parse(cmp.stdout);
  assert.equal(c.candidate, p.candidate);
  assert.equal(c.baseline, p.active);

  assert.equal(p.n, c.n);
  assert.equal(p.labelled, c.labelled);
  assert.equal(p.agreement, c.agreementRate);
  assert.equal(p.accCandidate, c.models.candidate.accuracy);
  assert.equal(p.accActive, c.models.baseline.accuracy);
  assert.equal(p.diff, c.difference.difference);
  assert.deepEqual(p.ci, [c.difference.lower, c.difference.upper]);
  assert.equal(p.pValue, c.mcnemar.pValue);
  assert.equal(p.verdict, c.verdict === 'no significant difference' ? 'no-difference' : c.verdict);
  assert.ok(p.diff > 0 && p.verdict === 'better', `the less noisy shadow is better: Δ ${p.diff}, ${p.verdict}`);
  // the snapshot carries what every screen draws, the gate budget of the pair included
  assert.equal(p.gate.allowed, 8);
  assert.ok(Array.isArray(s.traffic) && s.traffic.length === 2);

  const text = await cli(['--db', dbPath, 'snapshot'], dir);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /new@1 vs old@1: agreement \d+\.\d+%, Δ accuracy \+?\d+\.\d+ pts, McNemar p [\d.e-]+, better/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { syntheticStore } from '../registry/storeFixture.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('compare prints the serving pairs as a table and as JSON, with the gate preview', async () => {
  const dir = tempDir();
  const dbPath = join(dir, 'mlops.db');
  syntheticStore(dbPath, [{ name: 'old', noise: 1.5, alias: 'active' }, { name: 'new', noise: 0.3, alias: 'shadow' }], { rows: 5000, labelShare: 0.6 }).close();
  // Models that only appear in logs have no CBPE reference until one is pinned (issue 12).
  const none = JSON.parse((await cli(['--db', dbPath, 'compare', '--json'], dir)).stdout);
  assert.equal(none[0].models.candidate.estimated, null);
  for (const m of ['new@1', 'old@1']) {
    const pin = await cli(['--db', dbPath, 'reference', 'set', m, '--from', '2001-01-01T00:00:00Z', '--until', '2001-01-01T01:00:00Z'], dir);
    assert.equal(pin.code, 0, pin.stderr);
    assert.match(pin.stdout, new RegExp(`${m}: CBPE reference pinned, \\d+ labelled rows from 2001-01-01T00:00:00.000Z`));
  }
  const json = await cli(['--db', dbPath, 'compare', '--json'], dir);
  assert.equal(json.code, 0, json.stderr);
  const [pair] = JSON.parse(json.stdout);
  assert.equal(pair.candidate, 'new@1');
  assert.equal(pair.baseline, 'old@1');
  assert.equal(pair.n, 5000);
  assert.equal(pair.labelled, 3000);
  assert.equal(pair.verdict, 'better');
  assert.equal(pair.gate.refused, 'not-enough-rows');
  assert.equal(pair.gate.evaluationsUsed, 0);

  const text = await cli(['--db', dbPath, 'compare'], dir);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /new@1 vs old@1 \(active\): 5000 paired requests, 3000 labelled/);
  assert.match(text.stdout, /McNemar exact p = /);
  assert.match(text.stdout, /verdict: new@1 is better than old@1/);
  assert.match(text.stdout, /CBPE of new@1 calibrated on the pinned reference period \(\d+ rows, 2001-01-01/);
  assert.equal(pair.models.candidate.estimated.reference.source, 'pinned');
  assert.ok(pair.models.candidate.estimated.windows.length >= 1);

  const given = JSON.parse((await cli(['--db', dbPath, 'compare', 'old@1', 'new@1', '--json', '--mid-p'], dir)).stdout);
  assert.equal(given[0].verdict, 'worse');
  assert.equal(given[0].mcnemar.midP, true);
  assert.equal(given[0].gate, null);
  // the last 1000 s before the newest prediction: 1001 requests, none labelled yet
  const recent = JSON.parse((await cli(['--db', dbPath, 'compare', '--json', '--since', '1000s'], dir)).stdout);
  assert.equal(recent[0].n, 1001);
  assert.equal(recent[0].labelled, 0);
  assert.equal(recent[0].verdict, null);
  assert.ok(Math.abs(recent[0].models.candidate.estimated.accuracy - pair.models.candidate.accuracy) < 0.03, 'CBPE still speaks without labels');

  const bad = await cli(['--db', dbPath, 'compare', 'old@1'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /give two versions/);
  const help = await cli(['compare', '--help'], dir);
  assert.match(help.stdout, /Examples:/);
});

test('reference set: one sentence and exit 2 for a bad version, a bad time or too few labelled rows; audited when it pins', async () => {
  const dir = tempDir();
  const dbPath = join(dir, 'mlops.db');
  syntheticStore(dbPath, [{ name: 'old', noise: 1.5, alias: 'active' }], { rows: 2000, labelShare: 0.6 }).close();
  const noVersion = await cli(['--db', dbPath, 'reference', 'set', 'old', '--from', '2001-01-01', '--until', '2001-01-02'], dir);
  assert.equal(noVersion.code, 2);
  assert.match(noVersion.stderr, /"old" must be NAME@VERSION/);
  const badTime = await cli(['--db', dbPath, 'reference', 'set', 'old@1', '--from', 'yesterday', '--until', '2001-01-02'], dir);
  assert.equal(badTime.code, 2);
  assert.match(badTime.stderr, /--from "yesterday" is not an ISO 8601 time/);
  const few = await cli(['--db', dbPath, 'reference', 'set', 'old@1', '--from', '2001-01-01T00:00:00Z', '--until', '2001-01-01T00:05:00Z'], dir); // 300 rows
  assert.equal(few.code, 2);
  assert.match(few.stderr, /at least 500 labelled rows, got \d+/);
  const ok = await cli(['--db', dbPath, 'reference', 'set', 'old@1', '--from', '2001-01-01', '--until', '2001-01-02', '--json'], dir);
  assert.equal(ok.code, 0, ok.stderr);
  const r = JSON.parse(ok.stdout);
  assert.equal(r.source, 'pinned');
  assert.ok(r.threshold.lower < r.accuracy && r.accuracy <= r.threshold.upper);
  const history = JSON.parse((await cli(['--db', dbPath, 'history', '--json'], dir)).stdout) as Array<{ action: string; subject: string }>;
  assert.ok(history.some((h) => h.action === 'reference-set' && h.subject === 'old@1'));
  const help = await cli(['reference', 'set', '--help'], dir);
  assert.match(help.stdout, /Examples:/);
});

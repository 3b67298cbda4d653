/**
 * The soak harness (test/soak/soak.ts, `npm run soak` for hours) in a bounded run for CI:
 * 55 s of replay at 2,000 lines/s with the engine running headless, an ingest process
 * SIGKILLed every 2–6 s, rename and copytruncate rotations, and a 6 s database lock. Zero lines
 * lost outside copytruncate's stated window, zero stored twice, engine memory flat after warm-up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak } from './soak.js';

test('soak: SIGKILLs, rotations and a held lock lose nothing outside copytruncate\'s window and store nothing twice', { timeout: 115_000 }, async () => {
  const lines: string[] = [];
  const r = await runSoak({ seconds: 55, warmup: 0.45, rate: 2000, rotateEvery: 6, lockEvery: 14, lockSeconds: 6, seed: 11, log: (l) => lines.push(l) });
  if (process.env.SOAK_VERBOSE) process.stderr.write(`${lines.join('\n')}\n`);
  assert.equal(r.failed, 0, lines.join('\n'));
  assert.ok(r.figures.kills >= 3 && r.figures.renames >= 2 && r.figures.truncations >= 1 && r.figures.locks >= 1, lines.join('\n'));
  assert.ok(r.figures.lines >= 50_000, `${r.figures.lines} lines written`);
  assert.match(lines.at(-1)!, /^\d+ passed, 0 failed$/);
});

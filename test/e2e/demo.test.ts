/**
 * `mlops-tui demo` on a real terminal: it trains on January, starts the replay child, counts
 * predictions on screen, and `q` leaves nothing behind: the process exits 0, the replay
 * child is gone, and the operator's normal screen is back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { skipWithoutTmux, sleep, startTmux } from '../helpers/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));

/** Processes whose command line mentions `needle` (pgrep never lists itself). */
function processesWith(needle: string): string[] {
  const r = spawnSync('pgrep', ['-af', needle], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

// The header's second line: "<rate> lines/s │ 12.3k preds 4.1k labels │ …"; a count above zero.
const COUNTED = /│ (?!0 preds)\d[\d.,]*[kM]? preds /;

test('demo: trains, counts predictions on screen, and q exits cleanly and stops the replay', { timeout: 240_000 }, async (t) => {
  if (skipWithoutTmux(t)) return;
  const dir = tempDir('mlops-e2e-demo-');
  const demoDir = join(dir, 'demo');
  const s = startTmux({ cols: 100, rows: 30, cwd: dir });
  t.after(() => s.kill());
  // A line on the normal screen before the demo: it must be there again after q.
  s.run('echo BEFORE-DEMO');
  await s.waitFor(/^BEFORE-DEMO$/m, 15_000);
  s.run(`node ${BIN} demo --dir ${demoDir} --rate 2000`);

  // Training prints progress on the normal screen; the console then opens on the alternate one.
  const screen = await s.waitFor(COUNTED, 180_000, 'predictions counted in the header');
  assert.equal(s.display('#{alternate_on}'), '1', 'the console runs on the alternate screen');
  assert.match(screen, /^mlops-tui │ db /m);
  assert.match(screen, /^DEMO (playing|PAUSED) · 2000 rows\/s · replay at 2001-0\d-\d\d \d\d:\d\d │ replaying Feb-Mar 2001/m, 'the replay, its rate and clock, and the notice');
  assert.match(screen, /\[1 Overview\]/);
  assert.ok(existsSync(join(demoDir, 'predictions')), 'the replay writes into the demo directory');
  const replay = processesWith(demoDir).filter((p) => / replay /.test(p));
  assert.equal(replay.length, 1, `one replay child while the demo runs:\n${processesWith(demoDir).join('\n')}`);

  // The count keeps moving while the replay runs.
  const firstCount = COUNTED.exec(screen)![0];
  await s.waitFor((sc) => COUNTED.test(sc) && COUNTED.exec(sc)![0] !== firstCount, 20_000, 'the prediction count to grow');

  s.sendKeys('q');
  assert.equal(await s.exitCode(20_000), 0);
  assert.equal(s.display('#{alternate_on}'), '0', 'the alternate screen was left');
  const after = s.capture();
  assert.match(after, /^BEFORE-DEMO$/m, 'the normal screen (scrollback before the demo) is back');
  assert.doesNotMatch(after, /\[1 Overview\]/, 'no console frame leaked onto the normal screen');

  // The demo sends SIGTERM to the replay as it exits; give the child a moment to go.
  let left = processesWith(demoDir);
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await sleep(100);
    left = processesWith(demoDir);
  }
  assert.deepEqual(left, [], 'no process (replay, ingest, worker) still runs on the demo directory');
});

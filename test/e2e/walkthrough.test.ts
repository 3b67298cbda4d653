/**
 * The README's demo walk-through, followed in a real terminal as a newcomer would: `mlops-tui
 * demo` (with `--rate` for speed), the pacing keys, the demo's three stops and what each hint
 * says to do, up to a promoted retrain that the gate passed — checked in the audit trail, not
 * only on screen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { skipWithoutTmux, sleep, startTmux, type Tmux } from '../helpers/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
const COUNTED = /│ (?!0 preds)\d[\d.,]*[kM]? preds /;
const DEMO_LINE = /^DEMO (playing|PAUSED|pausing…|replay done) · ([\d.,]+k?) rows\/s · replay at (\S+ \S+)/m;

function demoState(screen: string): { state: string; rate: string; clock: string } | null {
  const m = DEMO_LINE.exec(screen);
  return m ? { state: m[1], rate: m[2], clock: m[3] } : null;
}

async function key(s: Tmux, k: string, expect: RegExp, what: string, ms = 10_000): Promise<string> {
  s.sendKeys(k);
  return s.waitFor(expect, ms, what);
}

interface AuditRow { action: string; subject: string; before: string | null; after: string | null; details: { gate?: { pass: boolean } } | null }

test('a newcomer follows the README from `demo` to a promoted retrain that the gate passed', { timeout: 1_800_000 }, async (t) => {
  if (skipWithoutTmux(t)) return;
  const dir = tempDir('mlops-e2e-walk-');
  const demoDir = join(dir, 'demo');
  const s = startTmux({ cols: 120, rows: 36, cwd: dir });
  t.after(() => s.kill());
  // The README: `npm start` runs `mlops-tui demo`; --rate sets the replay's starting speed.
  s.run(`node ${BIN} demo --dir ${demoDir} --rate 1600`);
  await s.waitFor(COUNTED, 600_000, 'training, then the console counting predictions');
  let screen = await s.waitFor(DEMO_LINE, 10_000, "the demo's line in the header");
  assert.equal(demoState(screen)!.state, 'playing');
  assert.equal(demoState(screen)!.rate, '1600');
  assert.match(screen, /^space pause {2}\+\/- rate/m, 'the hint line offers the pacing keys');

  await t.test('space pauses and resumes the replay, + and - change its rate, all shown in the header', async () => {
    screen = await key(s, 'Space', /^DEMO PAUSED · /m, 'paused (the replay holding)');
    const held = demoState(screen)!.clock;
    await sleep(1_500);
    assert.equal(demoState(s.capture())!.clock, held, "the replay's clock stands still while paused");
    await key(s, '+', /^DEMO PAUSED · 3200 rows\/s/m, '+ doubles the rate');
    await key(s, '-', /^DEMO PAUSED · 1600 rows\/s/m, '- halves it');
    await key(s, '-', /^DEMO PAUSED · 800 rows\/s/m, '- again');
    await key(s, '+', /^DEMO PAUSED · 1600 rows\/s/m, 'back to 1600');
    await key(s, 'Space', /^DEMO playing · 1600 rows\/s/m, 'resumed');
    await s.waitFor((sc) => (demoState(sc)?.clock ?? held) > held, 10_000, 'the clock moving again');
  });

  await t.test('stop 1: the incident’s first page alert, with its hint; Drift shows hour drifting', async () => {
    // The alert names what drifted: `hour`, or the dataset when its alert opens first.
    screen = await s.waitFor(/^Paused: the incident's first page alert, \S+ drifted\. See 2 Drift/m, 600_000, 'the first stop');
    assert.equal(demoState(screen)!.state === 'PAUSED' || demoState(screen)!.state === 'pausing…', true);
    assert.ok(demoState(screen)!.clock >= '2001-03-01', `the replay is in the incident: ${demoState(screen)!.clock}`);
    await key(s, '2', /\[2 Drift\]/, 'Drift');
    await s.waitFor(/^[> ] hour +numeric +\S+ +[\d.]+ .* drift/m, 10_000, 'hour at level drift');
    s.sendKeys('Escape');
    await key(s, 'Space', /^DEMO playing/m, 'resumed');
    assert.doesNotMatch(s.capture(), /^Paused: /m, 'the hint goes with the pause');
  });

  await t.test('stop 2: a week into the incident, 5 then r retrains; the job ends at 100% and says why', async () => {
    screen = await s.waitFor(/^Paused: a week of the incident is in\. Retrain on it: 5, then r/m, 600_000, 'the second stop');
    await s.waitFor((sc) => !/catching up/.test(sc), 120_000, 'ingest caught up');
    await key(s, '5', /\[5 Retrain\]/, 'Retrain');
    await key(s, 'r', /retrain job \d+ started/, 'the retrain started');
    screen = await s.waitFor(/flights-logreg +logreg +done +█+ +100%/, 600_000, 'the job done at 100%');
    await s.waitFor(/(early stopping at epoch \d+ of \d+|ran all \d+ epochs)/, 10_000, 'why it stopped');
    await s.waitFor(/registered flights-logreg@2 as a shadow/, 10_000, 'the new version registered');
    await key(s, 'Space', /^DEMO playing/m, 'resumed');
  });

  await t.test('stop 3: the gate can pass; Shadow, p, Tab, Enter promote it; the audit trail has the gate', async () => {
    await s.waitFor(/^Paused: flights-logreg@2's gate can pass\. See 3 Shadow, then p/m, 900_000, 'the third stop');
    await key(s, '3', /\[3 Shadow\]/, 'Shadow');
    const sel = await s.waitFor(/^[> ] flights-logreg@2 +flights-logreg@1 .* better/m, 10_000, 'the candidate better');
    // Select the candidate's row if the MLP's is first.
    if (!/^> flights-logreg@2/m.test(sel)) {
      s.sendKeys('j');
      await s.waitFor(/^> flights-logreg@2/m, 15_000, 'the candidate selected');
    }
    await key(s, 'p', /Promote flights-logreg@2\?/, 'the promotion dialog');
    screen = await s.waitFor(/verdict +pass: |PASS: /, 60_000, 'the gate preview passing');
    assert.match(screen, /\[> Cancel <\]/, 'focus starts on Cancel');
    await key(s, 'Tab', /\[> Promote <\]/, 'focus on Promote');
    s.sendKeys('Enter');
    await s.waitFor(/│ active flights-logreg@2\s*$/m, 30_000, 'the header showing the new active version');
    const audit = JSON.parse(execFileSync(process.execPath, [BIN, '--db', join(demoDir, 'mlops.db'), 'history', '--json'], { encoding: 'utf8' })) as AuditRow[];
    const promote = audit.find((r) => r.action === 'promote');
    assert.ok(promote, `a promote in the audit trail: ${audit.map((r) => r.action).join(', ')}`);
    assert.equal(promote.subject, 'flights-logreg@2');
    assert.equal(promote.before, 'flights-logreg@1');
    assert.equal(promote.details?.gate?.pass, true, 'the gate passed it (not forced)');
    await key(s, '6', /\[6 Events\]/, 'Events');
    await s.waitFor(/ promote +flights-logreg@1 → flights-logreg@2 +gate passed, candidate − active \+/, 10_000, 'the promotion with its gate, in words');
  });

  s.sendKeys('q');
  assert.equal(await s.exitCode(30_000), 0);
});

/**
 * Page alerts for what a retrain leads to (issue 12: "a failed retrain, a gate result"), on the
 * real engine and store, the real retrain job (tfjs in its worker) and the real `alerts` CLI:
 * a retrain that fails opens a page episode and the next one that succeeds resolves it; the
 * first time the gate can judge a retrained candidate (enough held-out labels) a refusal opens a
 * page episode naming the figures, which resolves when the candidate leaves the shadow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { currentOperator } from '../../store/audit.js';
import { listEpisodes } from '../../store/alertEpisodes.js';
import { Operations } from '../../src/engine/operations.js';
import { startRetrain } from '../../src/ops/retrain.js';
import { runEngine } from '../helpers/flightsStream.js';
import { DAY_MS, HOUR_MS, LIVE_START, serveRows, syntheticRows, syntheticSetup } from './syntheticStream.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');
const setup = await syntheticSetup(false);
// A condition these few days can decide: 1,000–2,000 held-out rows, one evaluation.
setup.config.gate = { condition: 'n - o > 0 +/- 0.1', reliability: 0.95, evaluations: 1, heldOutShare: 0.3, bound: 'hoeffding' };

const rows = syntheticRows(7, LIVE_START, 7, 1500);
/** Rows [from, until) of the stream: m@1's predictions (and the candidate's, when given) and the labels an hour later. */
function serve(from: number, until: number, candidateBias: number | null): void {
  serveRows(setup.logs, rows, from, until, 'g', () => candidateBias);
}

const day = (d: number) => LIVE_START + d * DAY_MS;

function alertsCli(): Promise<{ alerts: Array<{ id: number; kind: string; subject: string; severity: string; state: string; message: string }> }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, '--db', setup.config.db, 'alerts', '--json', '--all'], (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(JSON.parse(stdout))));
  });
}

test('a failed retrain pages until one succeeds; a gate that refuses the retrained candidate pages until it leaves the shadow', async (t) => {
  serve(day(0), day(2), null);
  const { engine } = await runEngine(setup.config);
  const ops = new Operations(engine, setup.config);
  const ctx = { db: engine.db, cfg: setup.config, operator: currentOperator() };
  try {
    // A retrain with no rows to train on fails: page.
    const failed = await ops.runner.wait(startRetrain(ctx, { since: '2030-01-01' }, ops.runner));
    assert.equal(failed.status, 'failed');
    let live = listEpisodes(engine.db, { all: true, limit: 100 });
    const fail = live.find((e) => e.kind === 'retrain-failed')!;
    assert.ok(fail, JSON.stringify(live));
    assert.equal(fail.severity, 'page');
    assert.equal(fail.state, 'open');
    assert.match(fail.message, /retrain job \d+ of m failed: no labelled rows/);

    // One that succeeds resolves it and registers m@2 as a shadow.
    const done = await ops.runner.wait(startRetrain(ctx, {}, ops.runner));
    assert.equal(done.status, 'done', done.error ?? '');
    assert.equal(done.result, 'm@2');
    live = listEpisodes(engine.db, { all: true, limit: 100 });
    assert.equal(live.find((e) => e.id === fail.id)!.state, 'resolved');
    assert.equal(live.filter((e) => e.kind === 'gate').length, 0, 'no held-out labels of m@2 yet: no verdict, no page');

    // m@2 serves beside m@1 and is worse (its logit is off by 2). Once its held-out rows are enough, the gate refuses it: page.
    serve(day(2), day(5) + HOUR_MS, 2);
    await engine.caughtUp();
    const cli = await alertsCli();
    const gate = cli.alerts.filter((a) => a.kind === 'gate');
    t.diagnostic(gate.map((a) => a.message).join('\n'));
    assert.equal(gate.length, 1, JSON.stringify(cli.alerts));
    assert.deepEqual([gate[0].subject, gate[0].severity, gate[0].state], ['m@2', 'page', 'open']);
    assert.match(gate[0].message, /the gate refuses retrained m@2 against m@1 \(n - o > 0 \+\/- 0\.1\): n − o -0\.\d+ \[-0\.\d+, -?0\.\d+\] on \d+ held-out rows/);
    assert.equal(engine.current()!.openPages, 1);

    // The operator promotes it anyway (forced, audited): it left the shadow, the episode resolves.
    const forced = await ops.promote('m@2', { force: true });
    assert.ok(forced.ok, forced.message);
    serve(day(5) + HOUR_MS, day(6) + HOUR_MS, 2);
    await engine.caughtUp();
    const after = listEpisodes(engine.db, { all: true, limit: 100 }).find((e) => e.kind === 'gate')!;
    assert.equal(after.state, 'resolved');
    assert.equal(after.resolution, 'm@2 is active');
  } finally {
    ops.close();
    await engine.stop();
  }
});

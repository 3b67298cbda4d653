/**
 * retrain.autoPromote, end to end on the real engine, store, retrain policy and job runner: the
 * policy retrains on dataset drift, and promotes the candidate itself — through the gate,
 * audited as operator `policy` — the first time the gate can judge it and it passes. (It used to
 * promote when the job finished, when the candidate had no held-out labels yet: the gate always
 * refused, so autoPromote never promoted anything.)
 *
 * The stream: x drives the label; from day 2 x arrives shifted by +1.5 and a new category
 * appears (dataset drift: two of three features), while the outcome still follows the old x.
 * The active m@1 keeps scoring the shifted x; the candidate m@2 serves from day 3 and logs the
 * outcome's true probability, so the gate (on the held-out requests both scored) passes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditTrail } from '../../store/audit.js';
import { listEpisodes } from '../../store/alertEpisodes.js';
import { activeModel, refOf } from '../../store/registry.js';
import { Operations } from '../../src/engine/operations.js';
import { Engine } from '../../src/engine/engine.js';
import { DAY_MS, HOUR_MS, LIVE_START, serveRows, syntheticRows, syntheticSetup } from './syntheticStream.js';
import { activeBecomes } from '../helpers/registryWait.js';

const SHIFT = 1.5;
const setup = await syntheticSetup(false);
setup.config.gate = { condition: 'n - o > 0 +/- 0.1', reliability: 0.95, evaluations: 1, heldOutShare: 0.3, bound: 'hoeffding' };
setup.config.retrain = { ...setup.config.retrain, onDatasetDriftWindows: 1, autoPromote: true, rows: 5000 };

const day = (d: number) => LIVE_START + d * DAY_MS;
const rows = syntheticRows(5, LIVE_START, 7, 1500, { at: day(2), xMean: SHIFT, newCategoryShare: 0.3 });

/** The candidate scores the outcome's own probability, σ(2(x − shift)): what a model fitted after the shift scores. */
function serve(from: number, until: number, candidate: boolean): void {
  serveRows(setup.logs, rows, from, until, 'p', (r) => (candidate ? (r.ts >= day(2) ? -2 * SHIFT : 0) : null));
}


test('autoPromote: the policy retrains on dataset drift and promotes the candidate through the gate once its held-out labels let the gate pass it', async (t) => {
  serve(day(0), day(3) + 6 * HOUR_MS, false);
  // The policy listens from the start, as in the console.
  const engine = new Engine({ ingest: true, config: setup.config });
  const ops = new Operations(engine, setup.config);
  try {
    await engine.start();
    // Window 2 drifted: the policy started a retrain (the runner trains it in its worker).
    await engine.caughtUp();
    const started = auditTrail(engine.db, 100).filter((e) => e.operator === 'policy' && e.action === 'policy-retrain');
    assert.equal(started.length, 1, JSON.stringify(auditTrail(engine.db, 20)));
    await ops.runner.idle();
    const job = ops.runner.list(5)[0]!;
    assert.equal(job.status, 'done', job.error ?? '');
    assert.equal(job.result, 'm@2');
    assert.equal(refOf(activeModel(engine.db)!), 'm@1', 'no labels of m@2 yet: nothing promoted');

    serve(day(3) + 6 * HOUR_MS, day(5) + 6 * HOUR_MS, true);
    await engine.caughtUp();
    assert.ok(await activeBecomes(engine.db, 'm@2'), 'the policy promoted m@2');
    const promoted = auditTrail(engine.db, 100).find((e) => e.action === 'promote')!;
    assert.equal(promoted.operator, 'policy');
    assert.deepEqual([promoted.before, promoted.after], ['m@1', 'm@2']);
    const gate = JSON.parse(promoted.details!) as { gate: { pass: boolean; n: number; o: number; heldOutRows: number } };
    t.diagnostic(`gate: n ${gate.gate.n.toFixed(4)} vs o ${gate.gate.o.toFixed(4)} on ${gate.gate.heldOutRows} held-out rows`);
    assert.equal(gate.gate.pass, true);
    assert.ok(gate.gate.n > gate.gate.o);
    // Promoted by the policy: nobody needs paging about it.
    assert.equal(listEpisodes(engine.db, { all: true, limit: 100 }).filter((e) => e.kind === 'gate').length, 0);
  } finally {
    ops.close();
    await engine.stop();
  }
});

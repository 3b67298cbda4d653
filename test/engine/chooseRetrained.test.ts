/**
 * Issue 12, "label-free choice": the demo's story with `choose.auto` on, end to end on the real
 * engine, store, replay and retrain job. The January logistic regression serves February–March
 * 2001 (replayed by the real replay, labels two hours late); on March 8 it is retrained on its
 * logged March 1–7 through the retrain path, and the candidate serves as a shadow from then on.
 * The replay then runs day by day, as the console would see it.
 *
 * With the incident (hour +6 h from March 1) the policy switches to the candidate as soon as two
 * complete windows of its traffic exist (March 8 and 9, so during March 10), through the promote
 * path, audited as operator `policy`; the labels of the windows since confirm it and it is not
 * rolled back. Without the incident the same retrain is not better and the policy never switches
 * (no data-drift page opens, and choose.requireDrift asks for one).
 *
 * What makes the choice possible is one reference for both estimates (src/compare/choose.ts):
 * the retrain puts the January model's CBPE reference on the candidate's period. Before that
 * (measured, same replay): the candidate's estimate ran 4.4 points under its realised accuracy
 * (its reference week had storms), the January model's 0.6 over, the bands were apart on 8 of
 * 24 days, for either model by weekday, and the policy never switched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditTrail, currentOperator } from '../../store/audit.js';
import { activeModel, refOf } from '../../store/registry.js';
import { readChoosePolicy, type ChoosePolicyState } from '../../store/choosePolicy.js';
import { Engine } from '../../src/engine/engine.js';
import { Operations } from '../../src/engine/operations.js';
import type { ModelEstimates, Snapshot } from '../../src/engine/snapshot.js';
import { startRetrain } from '../../src/ops/retrain.js';
import { parseIncident } from '../../src/replay/incident.js';
import { runReplay } from '../../src/replay/replay.js';
import { choiceAgreement } from '../../src/compare/choose.js';
import type { JobInfo } from '../../src/retrain/jobRunner.js';
import { FLIGHTS_CSV } from '../models/flights.js';
import { DAY_MS, flightsStream, isoDay, LABEL_DELAY_MS } from '../helpers/flightsStream.js';
import { activeBecomes } from '../helpers/registryWait.js';

const at = (d: string): number => Date.parse(`${d}T00:00:00Z`);
const SERVING_FROM = at('2001-03-08');

interface Outcome {
  job: JobInfo;
  /** the active model after each of March 8, 9 and 10 was replayed */
  activeAfter: Map<string, string>;
  policy: Array<{ action: string; before: string | null; after: string | null; details: string | null }>;
  memory: ChoosePolicyState;
  final: Snapshot;
  referenceSet: string[];
}


async function story(incident: string | undefined): Promise<Outcome> {
  const stream = await flightsStream({ incident, until: '2001-03-08' });
  stream.config.choose.auto = true;
  const engine = new Engine({ ingest: true, config: stream.config });
  const ops = new Operations(engine, stream.config);
  try {
    await engine.start();
    await engine.caughtUp();
    const id = startRetrain({ db: engine.db, cfg: stream.config, operator: currentOperator() }, { since: '2001-03-01', until: '2001-03-08' }, ops.runner);
    const job = await ops.runner.wait(id);
    const replay = (from: number, until: number) => runReplay(engine.db, {
      data: FLIGHTS_CSV, label: 'delayed', time: 'ts', out: stream.logs, rate: 0, labelDelayMs: LABEL_DELAY_MS, from, until,
      incident: incident ? parseIncident(incident) : null,
    });
    const activeAfter = new Map<string, string>();
    for (let d = SERVING_FROM; d < at('2001-03-11'); d += DAY_MS) {
      await replay(d, d + DAY_MS);
      await engine.caughtUp();
      if (incident && d === at('2001-03-10')) await activeBecomes(engine.db, job.result!);
      activeAfter.set(isoDay(d), refOf(activeModel(engine.db)!));
    }
    await replay(at('2001-03-11'), at('2001-04-01'));
    await engine.caughtUp();
    const trail = auditTrail(engine.db, 1000).reverse();
    return {
      job, activeAfter,
      policy: trail.filter((e) => e.operator === 'policy').map((e) => ({ action: e.action, before: e.before, after: e.after, details: e.details })),
      memory: readChoosePolicy(engine.db),
      final: structuredClone(engine.current()!),
      referenceSet: trail.filter((e) => e.action === 'reference-set').map((e) => `${e.subject}: ${e.details}`),
    };
  } finally {
    ops.close();
    await engine.stop();
  }
}

/** Pooled realised accuracy of a model over the windows from `since`, with its labelled rows. */
function realisedSince(estimates: readonly ModelEstimates[], model: string, since: number): { accuracy: number; rows: number; windows: number } {
  const e = estimates.find((x) => x.model === model)!;
  let rows = 0, correct = 0, windows = 0;
  for (const w of e.windows) {
    if (w.start < since || w.realised === null) continue;
    rows += w.labelled;
    correct += w.realised * w.labelled;
    windows++;
  }
  return { accuracy: correct / rows, rows, windows };
}

const withIncident = await story('hour+6h@2001-03-01');
const without = await story(undefined);

test('with the incident: the policy switches to the retrained shadow during March 10, after its first two complete windows, audited as policy', (t) => {
  const o = withIncident;
  assert.equal(o.job.status, 'done', o.job.error ?? '');
  assert.equal(o.job.result, 'flights@2');
  t.diagnostic(`CBPE references pinned by the retrain: ${o.referenceSet.join('; ')}`);
  assert.equal(o.referenceSet.length, 1, 'the January model is put on the candidate’s reference period');
  assert.deepEqual([...o.activeAfter], [['2001-03-08', 'flights@1'], ['2001-03-09', 'flights@1'], ['2001-03-10', 'flights@2']]);
  assert.deepEqual(o.policy.map((e) => [e.action, e.before, e.after]), [['policy-choose', 'flights@1', 'flights@2'], ['force-promote', 'flights@1', 'flights@2']]);
  t.diagnostic(o.policy[0].details!);
  assert.equal(o.memory.lastDecidedWindow, at('2001-03-09'), 'decided on the windows of March 8 and 9');
  assert.deepEqual(o.memory.lastSwitch, { from: 'flights@1', to: 'flights@2', since: at('2001-03-10'), rolledBack: false });
  assert.equal(refOf({ name: o.final.models.find((m) => m.alias === 'active')!.name, version: o.final.models.find((m) => m.alias === 'active')!.version }), 'flights@2', 'still active at the end of March');
});

test('with the incident: the labels of every window since the switch confirm it (no rollback)', (t) => {
  const o = withIncident;
  const since = at('2001-03-10');
  const now = realisedSince(o.final.estimates, 'flights@2', since);
  const old = realisedSince(o.final.estimates, 'flights@1', since);
  const perDay = o.final.choices.filter((c) => c.start >= since && c.byLabels !== null);
  const favoured = perDay.filter((c) => c.byLabels === 'flights@2').length;
  t.diagnostic(`March 10–31, realised: flights@2 ${(100 * now.accuracy).toFixed(2)}% vs flights@1 ${(100 * old.accuracy).toFixed(2)}% on ${now.rows} labelled requests; the labels favour flights@2 on ${favoured} of ${perDay.length} days`);
  assert.equal(now.windows, 22);
  assert.equal(now.rows, old.rows);
  assert.ok(now.accuracy - old.accuracy > 0.01, `${now.accuracy} vs ${old.accuracy}`);
  assert.ok(favoured >= 0.8 * perDay.length, `${favoured} of ${perDay.length}`);
  assert.ok(!o.policy.some((e) => e.action === 'policy-rollback'));
  const a = choiceAgreement(o.final.choices.filter((c) => c.start >= SERVING_FROM));
  t.diagnostic(`label-free choice vs the labels' choice, March 8–31 with the incident: agreed on ${a.agreed} of ${a.windows} days; confident on ${a.confident}, of which ${a.confidentAgreed} agreed`);
});

test('without the incident: the same retrain, no better, is never chosen (no data-drift page opens)', (t) => {
  // The estimates alone would switch once, on the windows of March 13 and 14 (measured before
  // choose.requireDrift): the candidate learned the weekday from one week (a storm on Sunday
  // 03-04) and its held-out rows share those days, so its estimate leads by 6–8 points on
  // Tuesdays and Wednesdays and trails by 5–9 on Sundays and Mondays, bands apart both ways,
  // while the realised accuracy of the two is equal. With the inputs as on the reference those
  // leads are no news (src/compare/autoChoose.ts), and no data-drift page opens here.
  const o = without;
  assert.equal(o.job.status, 'done', o.job.error ?? '');
  const now = realisedSince(o.final.estimates, 'flights@2', SERVING_FROM);
  const old = realisedSince(o.final.estimates, 'flights@1', SERVING_FROM);
  const a = choiceAgreement(o.final.choices);
  t.diagnostic(`March 8–31 without the incident, realised: flights@2 ${(100 * now.accuracy).toFixed(2)}% vs flights@1 ${(100 * old.accuracy).toFixed(2)}%; label-free choice agreed with the labels on ${a.agreed} of ${a.windows} days, confident on ${a.confident} (${a.confidentAgreed} agreed)`);
  t.diagnostic(o.policy.map((e) => `${e.action} ${e.before} → ${e.after}: ${e.action.startsWith('policy') ? e.details : ''}`).join('\n'));
  assert.ok(Math.abs(now.accuracy - old.accuracy) < 0.005, 'the retrain is no better and no worse');
  assert.deepEqual(o.policy, [], 'the policy never switched');
  assert.deepEqual([...o.activeAfter.values()], ['flights@1', 'flights@1', 'flights@1']);
  assert.equal(refOf({ name: o.final.models.find((m) => m.alias === 'active')!.name, version: o.final.models.find((m) => m.alias === 'active')!.version }), 'flights@1', 'still the January model at the end of March');
});

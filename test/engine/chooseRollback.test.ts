/**
 * The label-free choice policy (choose.auto) end to end, on the real engine, the real store and
 * real registered models, through two real restarts: the estimates lead it to a shadow, the
 * labels that arrive afterwards contradict the switch and it rolls back, audited as operator
 * `policy`; its memory (store/choosePolicy.ts) survives each restart, so the restarted console
 * still watches the labels for the rollback and, after it, never switches to the contradicted
 * model again although its estimate still leads with bands apart.
 *
 * The story (a concept that changes back): on days 0–1 outcomes follow P(y) = σ(2x + 2), which
 * the shadow `s` logs (its score is σ(2x + 2)); the active `m` logs σ(2x). Both CBPE references
 * are pinned on day 0 (`reference set`'s front door), where `s` is right: estimated, `s` leads by
 * ~13 points with bands ±3.4 apart, and the policy switches after windows 0 and 1. From day 2 the
 * outcomes follow σ(2x) again — a change CBPE cannot see (it assumes P(y | score) stays as on the
 * reference) — and the labels show `s` ~13 points worse: rollback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDb, type Db } from '../../store/db.js';
import { auditTrail, currentOperator } from '../../store/audit.js';
import { activeModel, refOf } from '../../store/registry.js';
import { readChoosePolicy } from '../../store/choosePolicy.js';
import { pinCbpeReference } from '../../src/compare/cbpeStore.js';
import { Operations } from '../../src/engine/operations.js';
import { mulberry32 } from '../../src/util/random.js';
import { runEngine, isoDay, type EngineRun } from '../helpers/flightsStream.js';
import { appendLines, DAY_MS, HOUR_MS, labelLine, LIVE_START, predictionLine, syntheticSetup, type SyntheticRow } from './syntheticStream.js';
import { activeBecomes } from '../helpers/registryWait.js';

const PER_DAY = 1500;
/** The logit offset of the concept on days 0–1 (the shadow logs it); 0 from day 2. */
const BIAS = 2;
const day = (d: number): number => LIVE_START + d * DAY_MS;

const setup = await syntheticSetup(true);
setup.config.choose.auto = true;
// The story is a concept change with the inputs unchanged (no data-drift page ever opens): this
// test is about the rollback, so the policy may switch on estimates alone.
setup.config.choose.requireDrift = false;

function rows(seed: number, from: number, until: number, bias: number): SyntheticRow[] {
  const rng = mulberry32(seed);
  const out: SyntheticRow[] = [];
  const n = Math.round(((until - from) / DAY_MS) * PER_DAY);
  for (let i = 0; i < n; i++) {
    const u = Math.max(rng(), 1e-12);
    const x = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
    const y = rng() < 1 / (1 + Math.exp(-(2 * x + bias))) ? 1 : 0;
    out.push({ ts: from + Math.floor((i * (until - from)) / n), x, z: 5, c: rng() < 0.5 ? 'a' : 'b', y });
  }
  return out;
}

let next = 0;
/** Label lines held back by `serve(…, { labels: false })`, written by the next call. */
let heldLabels: Array<{ ts: number; line: string }> = [];

/** Both models' predictions and, an hour later, the label of each request in [from, until). */
function serve(from: number, until: number, bias: number, opts: { labels?: boolean } = {}): void {
  const byFile = new Map<string, string[]>();
  const push = (ts: number, line: string) => {
    const f = join(setup.logs, `predictions-${isoDay(ts)}.jsonl`);
    byFile.set(f, [...(byFile.get(f) ?? []), line]);
  };
  for (const l of heldLabels) push(l.ts, l.line);
  heldLabels = [];
  for (const r of rows(from, from, until, bias)) {
    const id = `c-${next++}`;
    push(r.ts, predictionLine(r, id, 'm'));
    push(r.ts, predictionLine(r, id, 's', BIAS));
    if (opts.labels === false) heldLabels.push({ ts: r.ts + HOUR_MS, line: labelLine(r, id, HOUR_MS) });
    else push(r.ts + HOUR_MS, labelLine(r, id, HOUR_MS));
  }
  for (const [f, lines] of byFile) appendLines(f, lines);
}

interface Console { run: EngineRun; ops: Operations }

async function start(): Promise<Console> {
  const run = await runEngine(setup.config, { snapshotMs: 50 });
  return { run, ops: new Operations(run.engine, setup.config) };
}

async function stop(c: Console): Promise<void> {
  c.ops.close();
  await c.run.engine.stop();
}


const policyRows = (db: Db) => auditTrail(db, 500).filter((e) => e.operator === 'policy').reverse();

test('the policy switches on confident estimates, survives a restart, rolls back when the labels contradict, and never switches back', async () => {
  // Day 0: a labelled period, pinned as both models' CBPE reference.
  serve(day(0), day(1), BIAS);
  const first = await runEngine(setup.config);
  await first.engine.stop();
  const db = openDb(setup.config.db);
  try {
    for (const ref of ['m@1', 's@1']) pinCbpeReference(db, ref, day(0), day(1), currentOperator(), null);
  } finally {
    db.close();
  }

  // Day 1, and the first hours of day 2 (their labels not in yet): windows 0 and 1 are complete,
  // s@1 leads both with bands apart, the policy switches to it.
  let c = await start();
  serve(day(1), day(2), BIAS);
  serve(day(2), day(2) + 3 * HOUR_MS, 0, { labels: false });
  await c.run.engine.caughtUp();
  assert.ok(await activeBecomes(c.run.engine.db, 's@1'), 's@1 did not become active');
  const decided = c.run.engine.current()!.choices.filter((x) => x.start < day(2));
  assert.equal(decided.length, 2);
  for (const w of decided) assert.ok(w.best === 's@1' && w.confident, `${isoDay(w.start)}: ${JSON.stringify(w.ranking)}`);
  let policy = policyRows(c.run.engine.db);
  assert.deepEqual(policy.map((e) => [e.action, e.before, e.after]), [['policy-choose', 'm@1', 's@1'], ['force-promote', 'm@1', 's@1']]);
  assert.match(policy[0].details!, /s@1 estimated ahead of m@1 by \d+\.\d, \d+\.\d points in the last 2 windows/);
  assert.deepEqual(readChoosePolicy(c.run.engine.db), {
    lastDecidedWindow: day(1), lastSwitch: { from: 'm@1', to: 's@1', since: day(2), rolledBack: false },
  });

  // A restart before any label since the switch: the new console remembers the switch, does not
  // make it again, and watches the labels as they come.
  await stop(c);
  c = await start();
  assert.equal(policyRows(c.run.engine.db).length, 2, 'no second switch after the restart');
  serve(day(2) + 3 * HOUR_MS, day(4), 0);
  serve(day(4), day(4) + HOUR_MS, 0);
  await c.run.engine.caughtUp();
  assert.ok(await activeBecomes(c.run.engine.db, 'm@1'), 'm@1 did not become active');
  policy = policyRows(c.run.engine.db);
  assert.deepEqual(policy.map((e) => [e.action, e.before, e.after]), [
    ['policy-choose', 'm@1', 's@1'], ['force-promote', 'm@1', 's@1'], ['policy-rollback', 's@1', 'm@1'], ['rollback', 's@1', 'm@1'],
  ]);
  const m = /labels since the switch: s@1 ([\d.]+)% against m@1 ([\d.]+)% on (\d+) rows/.exec(policy[2].details!);
  assert.ok(m, policy[2].details!);
  assert.ok(Number(m[2]) - Number(m[1]) > 5, `the labels contradict the switch by more than 5 points: ${policy[2].details}`);
  assert.equal(readChoosePolicy(c.run.engine.db).lastSwitch?.rolledBack, true);

  // Another restart and two more days: s@1 still leads the estimates with bands apart (CBPE
  // cannot see the concept change), and the policy, remembering the rollback, leaves m@1 active.
  await stop(c);
  c = await start();
  serve(day(4) + HOUR_MS, day(6) + HOUR_MS, 0);
  await c.run.engine.caughtUp();
  const later = c.run.engine.current()!.choices.filter((x) => x.start === day(4) || x.start === day(5));
  assert.equal(later.length, 2);
  for (const w of later) assert.ok(w.best === 's@1' && w.confident, `${isoDay(w.start)}: ${JSON.stringify(w.ranking)}`);
  assert.equal(policyRows(c.run.engine.db).length, 4, 'no switch back to the contradicted model');
  assert.equal(refOf(activeModel(c.run.engine.db)!), 'm@1');
  await stop(c);
});

/**
 * Restart: the engine keeps its aggregates in memory and its results (drift windows, alerts)
 * in SQLite. A new engine on the same database must show the same history and the same
 * counts, rebuild traffic and shadow pairs from the stored rows, and open no alert twice.
 *
 * Exactly once: a label may be logged before its prediction (a fast feedback path, or files
 * read out of order). Here a fifth of the requests have their label line first, some of them
 * in an earlier ingest pass than their prediction, and some predictions get their label only
 * in a later pass; every labelled prediction must be counted once per model either way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Snapshot } from '../../src/engine/snapshot.js';
import { isoDay, runEngine } from '../helpers/flightsStream.js';
import { appendLines, DAY_MS, HOUR_MS, labelLine, LIVE_START, predictionLine, syntheticRows, syntheticSetup, type SyntheticRow } from './syntheticStream.js';

const setup = await syntheticSetup(true);
// Four days with a shift on the third, so the history of x has distinct values to compare.
const rows = syntheticRows(11, LIVE_START, 4.2, 1500, { at: LIVE_START + 2 * DAY_MS, xMean: 0.7, newCategoryShare: 0.1 });
const SHADOW_BIAS = 0.8;
const labelFirst = (i: number) => i % 5 === 0;
const unlabelled = (i: number) => i % 7 === 3;
const file = (ts: number) => join(setup.logs, `predictions-${isoDay(ts)}.jsonl`);
const half = Math.floor(rows.length / 2);

/** Lines of rows [from, to), each in its day's file, labels either just before the predictions or an hour late. */
function write(from: number, to: number, opts: { labelsOnlyOf?: Set<number>; skipLabelsOf?: Set<number>; skipPredictionsOf?: Set<number> } = {}): void {
  const byFile = new Map<string, string[]>();
  const push = (f: string, l: string) => byFile.set(f, [...(byFile.get(f) ?? []), l]);
  for (let i = from; i < to; i++) {
    const r = rows[i]!;
    const id = `q-${i}`;
    const wantLabel = !unlabelled(i) && !opts.skipLabelsOf?.has(i);
    const wantPrediction = !opts.skipPredictionsOf?.has(i) && !opts.labelsOnlyOf?.has(i);
    if (wantLabel && labelFirst(i)) push(file(r.ts), labelLine(r, id, 0));
    if (wantPrediction) {
      push(file(r.ts), predictionLine(r, id, 'm'));
      push(file(r.ts), predictionLine(r, id, 's', SHADOW_BIAS));
    }
    if (wantLabel && !labelFirst(i)) push(file(r.ts + HOUR_MS), labelLine(r, id, HOUR_MS));
  }
  for (const [f, lines] of byFile) appendLines(f, lines);
}

// Pass 1: the first half, except that the last 200 rows of it log only their labels (the
// predictions come in pass 2), and 200 rows before those log no label yet (it comes in pass 2).
const lateP = new Set(Array.from({ length: 200 }, (_, k) => half - 1 - k).filter((i) => !unlabelled(i)));
const lateL = new Set(Array.from({ length: 200 }, (_, k) => half - 201 - k));
write(0, half, { skipPredictionsOf: lateP, skipLabelsOf: lateL });
const first = await runEngine(setup.config);
const afterPass1 = structuredClone(first.engine.current()!);
// Pass 2: the held-back predictions and labels, then the second half.
const byFile = new Map<string, string[]>();
for (const i of lateP) byFile.set(file(rows[i]!.ts), [...(byFile.get(file(rows[i]!.ts)) ?? []), predictionLine(rows[i]!, `q-${i}`, 'm'), predictionLine(rows[i]!, `q-${i}`, 's', SHADOW_BIAS)]);
for (const i of lateL) if (!unlabelled(i)) byFile.set(file(rows[i]!.ts), [...(byFile.get(file(rows[i]!.ts)) ?? []), labelLine(rows[i]!, `q-${i}`, 0)]);
for (const [f, lines] of byFile) appendLines(f, lines);
write(half, rows.length);
await first.engine.caughtUp();
const before = structuredClone(first.engine.current()!);
const windowsBefore = first.engine.db.prepare('SELECT model, window_start, rows, dataset_drifted, share, results FROM drift_windows ORDER BY model, window_start').all();
const alertsBefore = first.engine.db.prepare('SELECT kind, detector, subject, event_time, message FROM alerts ORDER BY id').all();
await first.engine.stop();

const second = await runEngine(setup.config);
const after = structuredClone(second.engine.current()!);
const windowsAfter = second.engine.db.prepare('SELECT model, window_start, rows, dataset_drifted, share, results FROM drift_windows ORDER BY model, window_start').all();
const alertsAfter = second.engine.db.prepare('SELECT kind, detector, subject, event_time, message FROM alerts ORDER BY id').all();

test.after(() => second.engine.stop());

const labelled = rows.map((_, i) => i).filter((i) => !unlabelled(i));
const correct = (i: number, bias: number) => {
  const r: SyntheticRow = rows[i]!;
  return ((2 * r.x + bias >= 0 ? 1 : 0) === r.y) ? 1 : 0;
};

function counts(s: Snapshot) {
  return {
    ingest: { predictions: s.ingest.predictions, labels: s.ingest.labels, quarantined: s.ingest.quarantined },
    traffic: s.traffic.map((t) => ({ model: t.model, alias: t.alias, predictions: t.predictions, labelled: t.labelled })),
    pairs: s.pairs.map((p) => ({ active: p.active, candidate: p.candidate, n: p.n, labelled: p.labelled, accActive: p.accActive, accCandidate: p.accCandidate, diff: p.diff, agreement: p.agreement })),
  };
}

test('every prediction and label is counted once, whether the label line came before or after the prediction line', () => {
  assert.ok(lateP.size > 100 && lateL.size > 100);
  const c = counts(before);
  assert.deepEqual(c.ingest, { predictions: 2 * rows.length, labels: labelled.length, quarantined: 0 });
  assert.deepEqual(c.traffic, [
    { model: 'm@1', alias: 'active', predictions: rows.length, labelled: labelled.length },
    { model: 's@1', alias: 'shadow', predictions: rows.length, labelled: labelled.length },
  ]);
  const [pair] = c.pairs;
  assert.equal(c.pairs.length, 1);
  assert.equal(pair!.n, rows.length);
  assert.equal(pair!.labelled, labelled.length);
  // Exactly the accuracy of each model over the labelled requests: no row missing, none doubled.
  assert.equal(pair!.accActive, labelled.reduce((s, i) => s + correct(i, 0), 0) / labelled.length);
  assert.equal(pair!.accCandidate, labelled.reduce((s, i) => s + correct(i, SHADOW_BIAS), 0) / labelled.length);
  // After pass 1 the labels without a prediction yet were not counted for anything.
  const p1 = counts(afterPass1);
  const m1 = p1.traffic.find((t) => t.model === 'm@1')!;
  assert.equal(m1.predictions, half - lateP.size);
  const expectLabelled1 = [...Array(half).keys()].filter((i) => !unlabelled(i) && !lateP.has(i) && !lateL.has(i)).length;
  assert.equal(m1.labelled, expectLabelled1);
});

test('a restart on the same database shows identical counts, pairs and stored history', () => {
  assert.deepEqual(counts(after), counts(before));
  assert.deepEqual(windowsAfter, windowsBefore, 'the re-read history closes the same windows with the same results');
  assert.ok(windowsBefore.length >= 4);
  assert.deepEqual(alertsAfter, alertsBefore, 'no alert is opened twice');
  assert.ok(alertsBefore.length > 0, 'the shift raised alerts to compare');
  const tb = before.traffic.find((t) => t.model === 'm@1')!;
  const ta = after.traffic.find((t) => t.model === 'm@1')!;
  for (const k of ['accuracy', 'logLoss', 'auc'] as const) assert.ok(ta[k] !== null && Math.abs(ta[k]! - tb[k]!) < 0.02, `${k} ${ta[k]} vs ${tb[k]}`);
});

test("the Drift screen after a restart: the same window, levels and sparkline history of each feature", () => {
  assert.equal(after.drift.window, before.drift.window);
  assert.equal(after.drift.rows, before.drift.rows);
  const by = (s: Snapshot) => Object.fromEntries(s.drift.features.map((f) => [f.name, f]));
  const fb = by(before);
  const fa = by(after);
  assert.deepEqual(Object.keys(fa).sort(), Object.keys(fb).sort());
  for (const name of ['x', 'z', 'c']) {
    assert.equal(fa[name]!.level, fb[name]!.level, name);
    assert.equal(fa[name]!.statistic, fb[name]!.statistic, name);
    assert.ok(fb[name]!.history.length >= 4, `${name} has a history`);
    assert.deepEqual(fa[name]!.history, fb[name]!.history, `history of ${name} after the restart`);
    assert.ok(fa[name]!.history.length <= 30);
  }
  assert.equal(fa.x!.level, 'drift');
});

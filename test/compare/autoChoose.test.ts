import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRollback, decideSwitch, type AutoChooseSettings } from '../../src/compare/autoChoose.js';
import { chooseByEstimate } from '../../src/compare/choose.js';
import type { EstimateWindow, ModelEstimates } from '../../src/engine/snapshot.js';

const DAY = 86_400_000;
const ON: AutoChooseSettings = { auto: true, margin: 0.01, windows: 2, alpha: 0.05, requireDrift: false };
const w = (d: number, estimated: number, realised: number | null, labelled = 2000): EstimateWindow => ({
  start: d * DAY, end: (d + 1) * DAY, rows: 2000, estimated, band: [estimated - 0.01, estimated + 0.01], labelled, realised, alert: false,
});
const m = (model: string, windows: EstimateWindow[]): ModelEstimates => ({
  model, alias: 'shadow', metric: 'accuracy', reference: { source: 'training-holdout', rows: 5000, from: null, until: null }, threshold: { lower: 0.5, upper: 1 }, windows,
});

test('switches only after K complete, confident windows with the margin, once per window, and never when off', () => {
  // Day 3 is still filling: it does not count.
  const active = m('old@1', [w(0, 0.80, 0.80), w(1, 0.78, 0.78), w(2, 0.77, 0.77), w(3, 0.70, null, 0)]);
  const shadow = m('new@1', [w(0, 0.80, 0.80), w(1, 0.82, 0.82), w(2, 0.83, 0.83), w(3, 0.90, null, 0)]);
  const choices = chooseByEstimate([active, shadow]);
  const d = decideSwitch(ON, choices, 'old@1', null);
  assert.ok(d?.action === 'switch');
  assert.deepEqual({ action: d.action, from: d.from, to: d.to, window: d.window }, { action: 'switch', from: 'old@1', to: 'new@1', window: 2 * DAY });
  assert.match(d!.reason, /ahead of old@1 by 4\.0, 6\.0 points in the last 2 windows/);
  assert.equal(decideSwitch(ON, choices, 'old@1', 2 * DAY), null, 'already decided for this window');
  assert.equal(decideSwitch({ ...ON, auto: false }, choices, 'old@1', null), null);
  assert.equal(decideSwitch({ ...ON, windows: 3 }, choices, 'old@1', null), null, 'day 0 was a tie');
  assert.equal(decideSwitch({ ...ON, margin: 0.05 }, choices, 'old@1', null), null, 'day 1 leads by 4 points only');
  assert.equal(decideSwitch(ON, choices, 'new@1', null), null, 'the leader is already active');
  // Overlapping bands are not confident.
  const close = m('new@1', [w(0, 0.80, 0.80), w(1, 0.785, 0.78), w(2, 0.775, 0.77), w(3, 0.70, null, 0)]);
  assert.equal(decideSwitch({ ...ON, margin: 0 }, chooseByEstimate([active, close]), 'old@1', null), null);
});

test('rolls back when the labels since the switch say the new model is significantly worse, and only then', () => {
  const since = 3 * DAY;
  const worse = [m('new@1', [w(2, 0.83, 0.80), w(3, 0.84, 0.74), w(4, 0.84, 0.75)]), m('old@1', [w(2, 0.78, 0.79), w(3, 0.78, 0.79), w(4, 0.78, 0.80)])];
  const d = decideRollback(ON, worse, { from: 'old@1', to: 'new@1', since, rolledBack: false });
  assert.equal(d?.action, 'rollback');
  assert.equal(d?.to, 'old@1');
  assert.match(d!.reason, /new@1 74\.5% against old@1 79\.5% on 4000 rows/);
  assert.equal(decideRollback(ON, worse, { from: 'old@1', to: 'new@1', since, rolledBack: true }), null, 'once');
  // Confirmed by the labels: no rollback.
  const better = [m('new@1', [w(3, 0.84, 0.83), w(4, 0.84, 0.84)]), m('old@1', [w(3, 0.78, 0.78), w(4, 0.78, 0.79)])];
  assert.equal(decideRollback(ON, better, { from: 'old@1', to: 'new@1', since, rolledBack: false }), null);
  // Worse but not significantly (few labels): wait.
  const few = [m('new@1', [w(3, 0.84, 0.78, 50)]), m('old@1', [w(3, 0.78, 0.80, 50)])];
  assert.equal(decideRollback(ON, few, { from: 'old@1', to: 'new@1', since, rolledBack: false }), null);
  // No labels yet: nothing to judge.
  assert.equal(decideRollback(ON, [m('new@1', [w(3, 0.84, null, 0)]), m('old@1', [w(3, 0.78, null, 0)])], { from: 'old@1', to: 'new@1', since, rolledBack: false }), null);
});

test('after a rollback the policy does not switch back to the model the labels contradicted', () => {
  const active = m('old@1', [w(5, 0.78, 0.80), w(6, 0.78, 0.80), w(7, 0.70, null, 0)]);
  const shadow = m('new@1', [w(5, 0.84, 0.74), w(6, 0.84, 0.75), w(7, 0.90, null, 0)]);
  const choices = chooseByEstimate([active, shadow]);
  const rolledBack = { from: 'old@1', to: 'new@1', since: 3 * DAY, rolledBack: true };
  assert.equal(decideSwitch(ON, choices, 'old@1', 2 * DAY, rolledBack), null);
  // Without that memory the same estimates would switch again (what a restart used to forget).
  assert.equal(decideSwitch(ON, choices, 'old@1', 2 * DAY, null)?.to, 'new@1');
  // A switch that stood (not rolled back) does not bar a later one.
  assert.equal(decideSwitch(ON, choices, 'old@1', 2 * DAY, { ...rolledBack, rolledBack: false })?.to, 'new@1');
});

test('after a switch that stands, estimates alone never send the policy back to the model it left', () => {
  // new@1 is active since the policy switched to it; now old@1's estimate leads with bands apart.
  const active = m('new@1', [w(8, 0.78, 0.82), w(9, 0.78, 0.82), w(10, 0.70, null, 0)]);
  const left = m('old@1', [w(8, 0.84, 0.81), w(9, 0.84, 0.81), w(10, 0.90, null, 0)]);
  const third = m('other@1', [w(8, 0.80, 0.80), w(9, 0.80, 0.80), w(10, 0.80, null, 0)]);
  const stood = { from: 'old@1', to: 'new@1', since: 3 * DAY, rolledBack: false };
  assert.equal(decideSwitch(ON, chooseByEstimate([active, left]), 'new@1', 2 * DAY, stood), null);
  // Another model leading is a new choice, not a flap.
  const better = m('other@1', [w(8, 0.90, 0.90), w(9, 0.90, 0.90), w(10, 0.90, null, 0)]);
  assert.equal(decideSwitch(ON, chooseByEstimate([active, left, better]), 'new@1', 2 * DAY, stood)?.to, 'other@1');
  // Without the memory the same windows switch back (what the flights replay without the incident did every week).
  assert.equal(decideSwitch(ON, chooseByEstimate([active, left, third]), 'new@1', 2 * DAY, null)?.to, 'old@1');
});

test('with requireDrift (the default) the same estimates switch only while a data-drift page is open', () => {
  const active = m('old@1', [w(0, 0.80, 0.80), w(1, 0.78, 0.78), w(2, 0.77, 0.77), w(3, 0.70, null, 0)]);
  const shadow = m('new@1', [w(0, 0.80, 0.80), w(1, 0.82, 0.82), w(2, 0.83, 0.83), w(3, 0.90, null, 0)]);
  const choices = chooseByEstimate([active, shadow]);
  const strict = { ...ON, requireDrift: true };
  assert.equal(decideSwitch(strict, choices, 'old@1', null, null, false), null, 'inputs as on the reference: estimates are no news');
  assert.equal(decideSwitch(strict, choices, 'old@1', null, null, true)?.to, 'new@1');
  assert.equal(decideSwitch(ON, choices, 'old@1', null, null, false)?.to, 'new@1', 'requireDrift off: estimates alone');
});

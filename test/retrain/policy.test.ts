// RetrainPolicy with explicit instants: triggers, cooldown, daily maximum, schedule, state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { RetrainPolicy, type RetrainDecision, type RetrainPolicyConfig } from '../../src/retrain/policy.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T = Date.parse('2001-03-01T00:00:00Z');

function policy(over: Partial<RetrainPolicyConfig> = {}): RetrainPolicy {
  return new RetrainPolicy({ ...DEFAULT_CONFIG.retrain, ...over });
}

test('defaults: no trigger is on, and auto-promote is off', () => {
  const p = policy();
  assert.equal(DEFAULT_CONFIG.retrain.autoPromote, false);
  for (let i = 0; i < 20; i++) assert.equal(p.onWindow(true, T + i * HOUR), null);
  assert.equal(p.onDetector(T), null);
  assert.equal(p.tick(T), null);
  assert.equal(p.tick(T + 1000 * HOUR), null);
});

test('dataset drift fires after K consecutive drifted windows; a calm window restarts the count', () => {
  const p = policy({ onDatasetDriftWindows: 3, cooldownMinutes: 0 });
  assert.equal(p.onWindow(true, T), null);
  assert.equal(p.onWindow(true, T + HOUR), null);
  assert.equal(p.onWindow(false, T + 2 * HOUR), null);
  assert.equal(p.onWindow(true, T + 3 * HOUR), null);
  assert.equal(p.onWindow(true, T + 4 * HOUR), null);
  const d = p.onWindow(true, T + 5 * HOUR)!;
  assert.equal(d.retrain, true);
  assert.equal(d.trigger, 'dataset-drift');
  assert.equal(d.autoPromote, false);
  assert.match(d.reason, /3 consecutive windows/);
  // The run starts over after a retrain.
  assert.equal(p.onWindow(true, T + 6 * HOUR), null);
});

test('a detector storm inside the cooldown retrains exactly once', () => {
  const p = policy({ onDetector: true, cooldownMinutes: 60, maxPerDay: 10 });
  const decisions: RetrainDecision[] = [];
  for (let m = 0; m < 60; m += 5) decisions.push(p.onDetector(T + m * MIN, 'ADWIN')!);
  assert.equal(decisions.filter((d) => d.retrain).length, 1);
  assert.equal(decisions[0]!.retrain, true);
  assert.match(decisions[0]!.reason, /ADWIN fired/);
  for (const d of decisions.slice(1)) {
    assert.equal(d.suppressed, 'cooldown');
    assert.match(d.reason, /cooldown for another \d+ min/);
  }
  assert.equal(p.cooldownLeft(T + 59 * MIN), MIN);
  // At the end of the cooldown the next firing retrains again.
  assert.equal(p.onDetector(T + 60 * MIN)!.retrain, true);
});

test('the daily maximum holds over a rolling 24 hours', () => {
  const p = policy({ onDetector: true, cooldownMinutes: 10, maxPerDay: 3 });
  const fired = (at: number) => p.onDetector(at)!.retrain;
  assert.equal(fired(T), true);
  assert.equal(fired(T + 1 * HOUR), true);
  assert.equal(fired(T + 2 * HOUR), true);
  const held = p.onDetector(T + 3 * HOUR)!;
  assert.equal(held.retrain, false);
  assert.equal(held.suppressed, 'daily-limit');
  assert.match(held.reason, /3 in the last 24 h \(maximum 3\)/);
  assert.equal(fired(T + 23 * HOUR), false);
  // 24 h after the first one, a slot is free again.
  assert.equal(fired(T + 24 * HOUR + 1), true);
});

test('drift that persists through a cooldown fires once the cooldown ends', () => {
  const p = policy({ onDatasetDriftWindows: 2, onDetector: true, cooldownMinutes: 120 });
  assert.equal(p.onDetector(T)!.retrain, true);
  assert.equal(p.onWindow(true, T + 30 * MIN), null);
  assert.equal(p.onWindow(true, T + 60 * MIN)!.suppressed, 'cooldown');
  assert.equal(p.onWindow(true, T + 90 * MIN)!.suppressed, 'cooldown');
  const d = p.onWindow(true, T + 120 * MIN)!;
  assert.equal(d.retrain, true);
  assert.match(d.reason, /4 consecutive windows/);
});

test('schedule: every N hours from the first tick or the last retrain; a manual retrain counts', () => {
  const p = policy({ scheduleHours: 6, cooldownMinutes: 30 });
  assert.equal(p.tick(T), null, 'the first tick only anchors the schedule');
  assert.equal(p.tick(T + 5 * HOUR), null);
  const d = p.tick(T + 6 * HOUR)!;
  assert.equal(d.retrain, true);
  assert.equal(d.trigger, 'schedule');
  assert.equal(p.tick(T + 7 * HOUR), null);
  p.record(T + 10 * HOUR);
  assert.equal(p.tick(T + 12 * HOUR), null, 'the manual retrain moved the schedule');
  assert.equal(p.tick(T + 16 * HOUR)!.retrain, true);
});

test('state survives a restart through JSON', () => {
  const p = policy({ onDetector: true, onDatasetDriftWindows: 3, cooldownMinutes: 60 });
  assert.equal(p.onDetector(T)!.retrain, true);
  p.onWindow(true, T + MIN);
  const restored = new RetrainPolicy({ ...DEFAULT_CONFIG.retrain, onDetector: true, onDatasetDriftWindows: 3, cooldownMinutes: 60 }, JSON.parse(JSON.stringify(p)));
  assert.equal(restored.onDetector(T + 30 * MIN)!.suppressed, 'cooldown');
  assert.equal(restored.onWindow(true, T + 2 * MIN), null);
  assert.deepEqual(restored.toJSON().driftRun, 2);
});

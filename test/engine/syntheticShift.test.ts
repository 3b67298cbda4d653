/**
 * A known input shift at a set time: from Wednesday 2001-01-10 12:00 the mean of x moves by
 * one standard deviation and a new category 'd' takes 20% of c, while z stays as it was.
 * The engine, with daily windows, must flag x and c (level 'drift', 'd' reported as new)
 * within one window of the change, and not before; z must never be flagged. A stationary
 * copy of the stream (same seed, no shift) must stay quiet throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ClosedWindow } from '../../src/engine/driftMonitor.js';
import { isoDay, runEngine, type EngineRun } from '../helpers/flightsStream.js';
import { appendLines, DAY_MS, HOUR_MS, labelLine, LIVE_START, predictionLine, syntheticRows, syntheticSetup, type Shift } from './syntheticStream.js';

const SHIFT: Shift = { at: LIVE_START + 2 * DAY_MS + 12 * HOUR_MS, xMean: 1, newCategoryShare: 0.2 };
const DAYS = 6.2; // Monday 00:00 to Sunday 04:48: six daily windows close

async function run(shift: Shift | null): Promise<EngineRun> {
  const setup = await syntheticSetup(false);
  const rows = syntheticRows(7, LIVE_START, DAYS, 2000, shift);
  const byDay = new Map<string, string[]>();
  rows.forEach((r, i) => {
    const f = join(setup.logs, `predictions-${isoDay(r.ts)}.jsonl`);
    byDay.set(f, [...(byDay.get(f) ?? []), predictionLine(r, `q-${i}`, 'm'), labelLine(r, `q-${i}`, 0)]);
  });
  for (const [f, lines] of byDay) appendLines(f, lines);
  return runEngine(setup.config);
}

const shifted = await run(SHIFT);
const stationary = await run(null);

test.after(async () => {
  await shifted.engine.stop();
  await stationary.engine.stop();
});

const col = (w: ClosedWindow, name: string) => w.results.find((r) => r.feature === name)!;
const describe = (w: ClosedWindow) => `${isoDay(w.start)}: ${w.results.map((r) => `${r.feature} ${r.method} ${r.statistic.toFixed(3)} ${r.level}`).join(', ')}`;

test('the shifted features are flagged within one window of the change, and not before', (t) => {
  const { windows } = shifted;
  assert.equal(windows.length, 6);
  for (const w of windows) t.diagnostic(describe(w));
  const before = windows.filter((w) => w.end <= SHIFT.at);
  const after = windows.filter((w) => w.end > SHIFT.at);
  assert.equal(before.length, 2);
  for (const w of before) {
    for (const r of w.results) assert.notEqual(r.level, 'drift', `${r.feature} flagged on ${isoDay(w.start)}, before the change`);
    assert.deepEqual(col(w, 'c').newCategories, []);
    assert.equal(w.datasetDrifted, false);
  }
  // The first window holding changed rows, or at the latest the next one, is flagged; all later ones too.
  const first = after.findIndex((w) => col(w, 'x').level === 'drift' && col(w, 'c').level === 'drift');
  assert.ok(first === 0 || first === 1, `first flagged window ${first} after the change`);
  assert.ok(after[first]!.start <= SHIFT.at + DAY_MS);
  for (const w of after.slice(first)) {
    assert.equal(col(w, 'x').level, 'drift', describe(w));
    assert.equal(col(w, 'c').level, 'drift', describe(w));
    assert.deepEqual(col(w, 'c').newCategories, ['d']);
    assert.equal(w.datasetDrifted, true, '2 of 3 features drifted: over the 50% share');
  }
  for (const w of windows) assert.notEqual(col(w, 'z').level, 'drift', `z on ${isoDay(w.start)}`);
  // Here the change is at noon of the third day: half of that window is enough.
  assert.equal(first, 0);
});

test('the engine raises data-drift alerts for x and c and shows the new category on the Drift screen', () => {
  const { engine } = shifted;
  const alerts = engine.db.prepare("SELECT subject, event_time AS t FROM alerts WHERE kind = 'data-drift' ORDER BY event_time").all() as Array<{ subject: string; t: number }>;
  assert.ok(alerts.length > 0);
  for (const a of alerts) {
    assert.ok(a.subject === 'x' || a.subject === 'c', a.subject);
    assert.ok(a.t + DAY_MS > SHIFT.at, `alert for the window from ${isoDay(a.t)} precedes the change`);
  }
  const s = engine.current()!;
  const c = s.drift.features.find((f) => f.name === 'c')!;
  assert.equal(c.level, 'drift');
  assert.ok(c.histogram.labels.includes('d'));
  const d = c.histogram.labels.indexOf('d');
  assert.equal(c.histogram.reference[d], 0);
  assert.ok(c.histogram.current[d]! > 0.15);
  assert.equal(s.drift.datasetDrifted, true);
});

test('the same stream without the shift is never flagged', () => {
  assert.equal(stationary.windows.length, 6);
  for (const w of stationary.windows) {
    for (const r of w.results) assert.equal(r.level, 'ok', describe(w));
    assert.equal(w.datasetDrifted, false);
  }
  assert.equal(stationary.engine.db.prepare("SELECT count(*) FROM alerts WHERE kind IN ('data-drift', 'dataset-drift')").pluck().get(), 0);
});

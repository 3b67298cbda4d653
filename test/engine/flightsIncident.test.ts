/**
 * The live engine on the flights stream with the demo's incident (DESIGN.md, "The demo
 * story"): from 2001-03-01 the `hour` feature arrives shifted by six hours. The same
 * February–March replay is run twice, with and without the incident, against the same
 * January model, so the effect on the active model's rolling metrics is measured against
 * the same days and labels rather than against another period.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClosedWindow } from '../../src/engine/driftMonitor.js';
import type { TrafficRow } from '../../src/engine/snapshot.js';
import { alertsOf, flightsStream, isoDay, runEngine, type EngineRun } from '../helpers/flightsStream.js';

const INCIDENT_FROM = Date.parse('2001-03-01T00:00:00Z');

const shifted = await flightsStream({ incident: 'hour+6h@2001-03-01' });
const withIncident: EngineRun = await runEngine(shifted.config);
const plain = await flightsStream();
const without: EngineRun = await runEngine(plain.config);

test.after(async () => {
  await withIncident.engine.stop();
  await without.engine.stop();
});

const hourOf = (w: ClosedWindow) => w.results.find((r) => r.feature === 'hour')!;

test('hour drifts in every daily window from 2001-03-01 on, and in none before at that size', (t) => {
  const { windows } = withIncident;
  assert.equal(windows.length, 58);
  const before = windows.filter((w) => w.start < INCIDENT_FROM);
  const after = windows.filter((w) => w.start >= INCIDENT_FROM);
  assert.equal(before.length, 28);
  assert.equal(after.length, 30);
  const maxBefore = Math.max(...before.map((w) => hourOf(w).statistic));
  const minAfter = Math.min(...after.map((w) => hourOf(w).statistic));
  t.diagnostic(`hour normalised Wasserstein: at most ${maxBefore.toFixed(3)} before 2001-03-01, at least ${minAfter.toFixed(3)} from it on`);
  for (const w of before) assert.ok(hourOf(w).statistic < 0.5, `${isoDay(w.start)}: hour ${hourOf(w).statistic}`);
  for (const w of after) {
    const h = hourOf(w);
    assert.equal(h.method, 'wasserstein');
    assert.ok(h.statistic >= 0.5, `${isoDay(w.start)}: hour ${h.statistic}`);
    assert.equal(h.level, 'drift');
  }
  // February is the same stream with or without the incident: identical windows.
  const same = without.windows.filter((w) => w.start < INCIDENT_FROM);
  assert.deepEqual(before.map((w) => hourOf(w).statistic), same.map((w) => hourOf(w).statistic));
  const hourAlerts = new Set(alertsOf(withIncident.engine.db, 'data-drift').filter((a) => a.subject === 'hour' && a.eventTime >= INCIDENT_FROM).map((a) => isoDay(a.eventTime)));
  assert.equal(hourAlerts.size, 30, 'a data-drift alert on hour for every March window');
});

test('the dataset-drift verdict of those windows: one drifted feature of five stays under the default 50% share', (t) => {
  const after = withIncident.windows.filter((w) => w.start >= INCIDENT_FROM);
  const shares = new Set<string>();
  for (const w of after) {
    assert.ok(w.driftedColumns.includes('hour'));
    // the other inputs are untouched by the incident
    for (const r of w.results) if (r.feature !== 'hour') assert.notEqual(r.level, 'drift', `${r.feature} on ${isoDay(w.start)}`);
    assert.deepEqual(w.driftedColumns, ['hour']);
    assert.ok(Math.abs(w.share - 1 / 5) < 1e-12);
    assert.equal(w.datasetDrifted, false);
    shares.add(w.share.toFixed(2));
  }
  t.diagnostic(`March windows: share of drifted features ${[...shares].join(', ')}, threshold ${withIncident.engine.current()!.drift.shareThreshold}: dataset drift never declared`);
  assert.equal(alertsOf(withIncident.engine.db, 'dataset-drift').length, 0);
  const s = withIncident.engine.current()!;
  const hourRow = s.drift.features.find((f) => f.name === 'hour')!;
  assert.equal(hourRow.level, 'drift', 'the Drift screen shows hour drifted in the last complete window');
  assert.equal(s.drift.datasetDrifted, false);
});

test("the active model's rolling AUC and log loss degrade under the incident", (t) => {
  const traffic = (r: EngineRun): TrafficRow => r.engine.current()!.traffic.find((x) => x.alias === 'active')!;
  const a = traffic(withIncident);
  const b = traffic(without);
  t.diagnostic(`rolling (last 2,000 labelled rows, end of March): with the incident AUC ${a.auc?.toFixed(3)}, log loss ${a.logLoss?.toFixed(3)}, accuracy ${a.accuracy?.toFixed(3)}; without AUC ${b.auc?.toFixed(3)}, log loss ${b.logLoss?.toFixed(3)}, accuracy ${b.accuracy?.toFixed(3)}`);
  assert.equal(a.labelled, b.labelled);
  assert.ok(a.auc !== null && b.auc !== null && a.logLoss !== null && b.logLoss !== null);
  assert.ok(b.auc - a.auc > 0.1, `AUC ${a.auc} with the incident vs ${b.auc} without`);
  assert.ok(a.auc < 0.55, `the January model ranks little better than chance under the shift (AUC ${a.auc})`);
  assert.ok(a.logLoss > b.logLoss, `log loss ${a.logLoss} with the incident vs ${b.logLoss} without`);
});

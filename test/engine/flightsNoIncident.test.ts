/**
 * The live engine on the real flights stream, without the demo's incident: a logistic
 * regression trained on January 2001 (active) and one trained on January 1–21 (shadow);
 * February–March replayed into daily JSONL logs with labels two hours late, ingested and
 * analysed by the engine as the console runs it.
 *
 * What the data holds (DESIGN.md, "What the flights data really shows"): the inputs barely
 * drift, the labels swing (storms on 2001-02-09 and 02-23). So the engine must say "no drift"
 * at month level and in daily windows, never flag day of week because a day holds one
 * weekday, and raise label drift and concept-drift alerts on the storm days. Where it also
 * fires on calm days, the test states it and prints the figures.
 */
import { test } from 'node:test';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { comparePairFromStore } from '../../src/compare/fromStore.js';
import { compareDatasets, type ColumnDriftResult } from '../../src/drift/columnDrift.js';
import { datasetDrift } from '../../src/drift/datasetDrift.js';
import { buildProfile } from '../../src/drift/profile.js';
import { classSpace } from '../../src/core/classes.js';
import { ModelMonitor } from '../../src/engine/modelMonitor.js';
import { loadTrainingRows } from '../../src/models/trainFromCsv.js';
import { FLIGHTS_CSV } from '../models/flights.js';
import { alertsOf, FLIGHT_FEATURES, flightsStream, isoDay, labelShareByRequestDay, runEngine } from '../helpers/flightsStream.js';

const stream = await flightsStream({ shadow: true });
const { engine, windows } = await runEngine(stream.config);
const db = engine.db;
const january = stream.january;
const active = stream.active;
const STORMS = ['2001-02-09', '2001-02-23'];
const CALM_EXAMPLES = ['2001-02-12', '2001-03-07', '2001-03-13'];
const janCounts = january.trainedOn.classCounts;
const janShare = janCounts['1']! / (janCounts['0']! + janCounts['1']!);

/** All of January, binned as the model's reference: what scipy compared February and March with. */
const januaryRows = (await loadTrainingRows({ data: FLIGHTS_CSV, label: 'delayed', time: 'ts', features: FLIGHT_FEATURES, until: '2001-02-01' })).rows;
const fullJanuary = buildProfile(januaryRows, january.schema, january.profile);

// Registered after every top-level await: the root's after hook runs once no test is queued.
test.after(() => engine.stop());

test('the replay reached the engine: every prediction and label counted once', () => {
  const s = engine.current()!;
  assert.equal(stream.replay.rows, 151_872);
  assert.equal(s.ingest.predictions, 2 * 151_872);
  assert.equal(s.ingest.labels, 151_872);
  assert.equal(s.ingest.quarantined, 0);
  const t = s.traffic.find((r) => r.model === active)!;
  assert.equal(t.alias, 'active');
  assert.equal(t.predictions, 151_872);
  assert.equal(t.labelled, 151_872);
});

function monthProfile(month: '02' | '03') {
  const rows = (db.prepare('SELECT features FROM predictions WHERE model = ? AND version = 1 AND ts >= ? AND ts < ?')
    .all('flights', Date.parse(`2001-${month}-01T00:00:00Z`), Date.parse(`2001-${month === '02' ? '03' : '04'}-01T00:00:00Z`)) as Array<{ features: string }>)
    .map((r) => JSON.parse(r.features) as Record<string, unknown>);
  return buildProfile(rows, january.schema, january.profile);
}

test('month level: February and March against January are "no drift"', (t) => {
  for (const month of ['02', '03'] as const) {
    const current = monthProfile(month);
    const results = compareDatasets(fullJanuary, current);
    const by = Object.fromEntries(results.map((r) => [r.feature, r])) as Record<string, ColumnDriftResult>;
    t.diagnostic(`2001-${month} vs all of January: ${results.map((r) => `${r.feature} ${r.method} ${r.statistic.toFixed(4)} ${r.level}`).join(', ')}`);
    assert.equal(by.origin.method, 'jensenshannon');
    assert.ok(by.origin.statistic >= 0.02 && by.origin.statistic <= 0.04, `origin JS ${by.origin.statistic}`);
    assert.equal(by.hour.method, 'wasserstein');
    assert.ok(by.hour.statistic < 0.01, `hour normalised Wasserstein ${by.hour.statistic}`);
    assert.equal(by.distance.method, 'wasserstein');
    assert.ok(by.distance.statistic < 0.01, `distance normalised Wasserstein ${by.distance.statistic}`);
    for (const r of results) assert.equal(r.level, 'ok', `${r.feature} in 2001-${month}`);
    assert.equal(datasetDrift(results, engine.current()!.drift.shareThreshold).drifted, false);

    // The model's own reference is its fitted rows only (January 1 to 25, 18:30; the rest is
    // held out for its metrics), so the figures differ a little (hour: the truncated 25th
    // lacks its evening), and the verdict is the same.
    const own = compareDatasets(january.profile, current);
    t.diagnostic(`2001-${month} vs the model's reference: ${own.map((r) => `${r.feature} ${r.statistic.toFixed(4)} ${r.level}`).join(', ')}`);
    for (const r of own) assert.equal(r.level, 'ok', `${r.feature} in 2001-${month} vs the model's reference (${r.statistic})`);
    assert.equal(datasetDrift(own, engine.current()!.drift.shareThreshold).drifted, false);
  }
});

test('daily windows: day of week is never drift, no window is dataset drift, no feature drifts', (t) => {
  // Feb 1 … Mar 30 closed; Mar 31 is the window still filling when the stream ends.
  assert.equal(windows.length, 58);
  assert.equal(isoDay(windows[0]!.start), '2001-02-01');
  assert.equal(isoDay(windows.at(-1)!.start), '2001-03-30');
  const stored = db.prepare('SELECT count(*) FROM drift_windows WHERE model = ?').pluck().get(active);
  assert.equal(stored, 58, 'every closed window is stored');
  const drifted: string[] = [];
  for (const w of windows) {
    const dow = w.results.find((r) => r.feature === 'dow')!;
    assert.ok(dow, 'day of week is compared');
    assert.notEqual(dow.level, 'drift', `dow on ${isoDay(w.start)}: ${dow.method} ${dow.statistic}`);
    assert.ok(dow.statistic < 1e-9, 'compared with the same weekday of the reference, a one-weekday day is no change at all');
    assert.equal(w.datasetDrifted, false, `dataset drift on ${isoDay(w.start)}`);
    for (const r of w.results) if (r.level === 'drift') drifted.push(`${isoDay(w.start)} ${r.feature} ${r.method} ${r.statistic.toFixed(3)}`);
  }
  const share = windows.filter((w) => w.datasetDrifted).length / windows.length;
  assert.equal(share, 0);
  t.diagnostic(`feature-level 'drift' in daily windows without the incident: ${drifted.length ? drifted.join('; ') : 'none'}`);
  // No feature at all. (Before the per-weekday profiles left out the cut last day of the fitted
  // rows, which end on Thursday 2001-01-25 at 18:30, hour 'drifted' on Thursdays 02-15 and
  // 03-08: 0.121 and 0.104 against that Thursday profile, 0.040 and 0.026 against the four
  // complete January Thursdays.)
  assert.deepEqual(drifted, []);
  const alerts = alertsOf(db, 'dataset-drift');
  assert.equal(alerts.length, 0);
});

test('label drift fires on the storm days and not on days whose delayed share is within 0.05 of January', (t) => {
  const shares = labelShareByRequestDay(db, 'flights', 1);
  const fired = new Set(alertsOf(db, 'label-drift').map((a) => isoDay(a.eventTime)));
  t.diagnostic(`January delayed share ${janShare.toFixed(3)}; label-drift alerts on ${[...fired].join(', ')}`);
  for (const d of STORMS) {
    assert.ok(shares.get(d)!.share > 0.4, `${d} is a storm day (${shares.get(d)!.share})`);
    assert.ok(fired.has(d), `label drift on ${d}`);
  }
  for (const d of CALM_EXAMPLES) assert.ok(Math.abs(shares.get(d)!.share - janShare) <= 0.05, `${d} is calm`);
  let calm = 0;
  for (const [d, s] of shares) {
    if (s.rows < 1000) continue; // the few labels of 04-01 that trail the last flights
    if (Math.abs(s.share - janShare) <= 0.05) {
      calm++;
      assert.ok(!fired.has(d), `label drift on calm ${d} (delayed share ${s.share.toFixed(3)})`);
    }
    // Far from January either way (storms, or the quietest days) it must fire.
    if (Math.abs(s.share - janShare) >= 0.15) assert.ok(fired.has(d), `no label drift on ${d} (delayed share ${s.share.toFixed(3)})`);
  }
  assert.ok(calm >= 15, `${calm} calm days`); // 19 days of requests are within ±0.05 of January
});

interface Firing { detector: string; day: string }

/**
 * The active model's labelled stream in label order through the engine's ModelMonitor, dated
 * as the engine dates firings (by the request's time): which detector fired on which day.
 */
function detectorFirings(): Firing[] {
  const space = classSpace(january.classes);
  const mon = new ModelMonitor(active, space);
  const rows = db.prepare(`SELECT p.ts, l.label, p.prediction, p.score FROM labels l
    JOIN predictions p ON p.request_id = l.request_id AND p.model = 'flights' AND p.version = 1 ORDER BY l.id`)
    .all() as Array<{ ts: number; label: string; prediction: string; score: number }>;
  const out: Firing[] = [];
  for (const r of rows) {
    const label = space.indexOfText(r.label);
    const predicted = space.indexOfText(r.prediction);
    for (const f of mon.onLabelled(label, predicted, r.score, label === 1 ? r.score : 1 - r.score, r.ts)) {
      out.push({ detector: f.detector, day: isoDay(f.eventTime) });
    }
  }
  return out;
}

test('concept drift: the alerting detector fires on the storm days; calm-day firings measured, not hidden', (t) => {
  // Detector firings are dated by the requests' time, so days here are days of flights.
  const shares = labelShareByRequestDay(db, 'flights', 1);
  const days = [...shares.keys()];
  assert.equal(days.length, 59);
  const calmDays = days.filter((d) => Math.abs(shares.get(d)!.share - janShare) <= 0.05);
  const alerts = alertsOf(db, 'concept-drift').filter((a) => a.subject === active);
  const alertDays = (level: string) => new Set(alerts.filter((a) => a.level === level).map((a) => isoDay(a.eventTime)));
  const drift = alertDays('drift');
  const warn = alertDays('warn');
  for (const d of STORMS) {
    assert.ok(shares.get(d)!.share > 0.4, `${d} is a storm day`);
    assert.ok(drift.has(d), `a concept-drift alert at level 'drift' on ${d}`);
  }

  const firings = detectorFirings();
  const on = (det: string, set: string[]) => set.filter((d) => firings.some((f) => f.detector === det && f.day === d));
  for (const det of ['calibration-cusum', 'page-hinkley', 'adwin', 'ddm']) {
    const n = firings.filter((f) => f.detector === det).length;
    const calm = on(det, calmDays);
    t.diagnostic(`${det}: ${n} firings on ${on(det, days).length}/${days.length} days; on ${calm.length}/${calmDays.length} calm days${det === 'calibration-cusum' ? ` (${calm.join(' ')})` : ''}; storm days ${on(det, STORMS).join(' ') || 'none'}`);
  }
  const calmDrift = calmDays.filter((d) => drift.has(d));
  const calmWarn = calmDays.filter((d) => warn.has(d));
  t.diagnostic(`alerts: 'drift' (CUSUM) on ${drift.size}/${days.length} days (${[...drift].sort().join(' ')}), ${calmDrift.length}/${calmDays.length} calm (${calmDrift.join(' ')}); 'warn' (River) on ${warn.size}/${days.length} days, ${calmWarn.length}/${calmDays.length} calm`);

  // The engine's alerts are these detectors on this stream, folded to one per model, day and level.
  assert.deepEqual([...drift].sort(), [...new Set(firings.filter((f) => f.detector === 'calibration-cusum').map((f) => f.day))].sort());
  assert.deepEqual([...warn].sort(), [...new Set(firings.filter((f) => f.detector !== 'calibration-cusum').map((f) => f.day))].sort());
  // What is true today. The CUSUM stays quiet on most calm days but not all (it also fires on
  // some days with a delayed share near January's). River's detectors on the error stream, whose
  // level climbs every evening (about 3% of flights at 08:00 to 40% at 23:00 are mispredicted),
  // fire on nearly every day, calm or not: that is why the engine shows them as warnings.
  assert.ok(calmDrift.length / calmDays.length < 0.5, `CUSUM alerts on ${calmDrift.length}/${calmDays.length} calm days`);
  assert.ok(calmWarn.length / calmDays.length > 0.5, `River warnings on ${calmWarn.length}/${calmDays.length} calm days`);
});

test('shadow comparison in the snapshot agrees with comparePairFromStore on the same database', (t) => {
  const s = engine.current()!;
  const row = s.pairs.find((p) => p.active === active && p.candidate === stream.shadow);
  assert.ok(row, 'a pair row for active vs shadow');
  const store = comparePairFromStore(db, { name: 'flights-short', version: 1 }, { name: 'flights', version: 1 });
  t.diagnostic(`snapshot: n ${row.n}, labelled ${row.labelled}, acc ${row.accActive?.toFixed(4)} vs ${row.accCandidate?.toFixed(4)}, diff ${row.diff?.toFixed(4)} [${row.ci?.map((x) => x.toFixed(4)).join(', ')}], p ${row.pValue}, ${row.verdict}; store: ${store.verdict} p ${store.mcnemar?.pValue}`);
  assert.equal(row.n, 151_872);
  assert.equal(row.labelled, 151_872);
  assert.equal(store.n, row.n);
  assert.equal(store.labelled, row.labelled);
  assert.ok(Math.abs(row.agreement - store.agreementRate) < 1e-12);
  assert.ok(Math.abs(row.meanAbsDiff! - store.meanAbsScoreDifference) < 1e-6);
  assert.ok(Math.abs(row.accActive! - store.models.baseline.accuracy) < 1e-12);
  assert.ok(Math.abs(row.accCandidate! - store.models.candidate.accuracy) < 1e-12);
  // Both report the candidate minus the active model.
  assert.ok(Math.abs(row.diff! - store.difference!.difference) < 1e-12);
  assert.ok(Math.abs(row.ci![0] - store.difference!.lower) < 1e-12 && Math.abs(row.ci![1] - store.difference!.upper) < 1e-12);
  assert.ok(row.ci![0] <= row.diff! && row.diff! <= row.ci![1]);
  assert.ok(row.pValue !== null && Math.abs(row.pValue - store.mcnemar!.pValue) <= 1e-9 * Math.max(1e-300, store.mcnemar!.pValue));
  const mapped = store.verdict === 'better' ? 'better' : store.verdict === 'worse' ? 'worse' : 'no-difference';
  assert.notEqual(row.verdict, 'insufficient');
  assert.equal(row.verdict, mapped);
});

test('a 30-day window config: the engine\'s own month-sized windows are not drift either', async (t) => {
  // On a copy of the database, so this engine's windows and alerts do not mix with the daily ones.
  const copy = join(stream.dir, 'monthly.db');
  db.exec(`VACUUM INTO '${copy}'`);
  const config = { ...stream.config, db: copy, drift: { ...stream.config.drift, window: '30d' } };
  const monthly = await runEngine(config, { ingest: false });
  try {
    // Windows are aligned on the epoch: [01-18, 02-17) holds February 1–16, [02-17, 03-19) is
    // full; the last one is still filling when the stream ends.
    assert.equal(monthly.windows.length, 2);
    for (const w of monthly.windows) {
      t.diagnostic(`${isoDay(w.start)} to ${isoDay(w.end)}, ${w.rows} rows: ${w.results.map((r) => `${r.feature} ${r.method} ${r.statistic.toFixed(4)} ${r.level}`).join(', ')}`);
      const by = Object.fromEntries(w.results.map((r) => [r.feature, r])) as Record<string, ColumnDriftResult>;
      // Day of week may reach 'warn' in the first window: 16 days hold an extra Thursday and Friday.
      for (const r of w.results) assert.equal(r.level, r.feature === 'dow' && r.level === 'warn' ? 'warn' : 'ok', `${r.feature} in the window from ${isoDay(w.start)}`);
      assert.equal(w.datasetDrifted, false);
      assert.ok(by.origin.statistic >= 0.02 && by.origin.statistic <= 0.05, `origin JS ${by.origin.statistic}`);
      // Against the model's own (fitted-rows) reference, a little above the full-January figures.
      assert.ok(by.hour.statistic < 0.03 && by.distance.statistic < 0.03, `hour ${by.hour.statistic}, distance ${by.distance.statistic}`);
    }
  } finally {
    await monthly.engine.stop();
  }
});

// Issue 16: permutation importance is stored with each model at training, and drift is ranked
// by importance × effect. On the real flights data: January's logistic regression barely uses
// `distance`, so a unit change of distance in March (miles → km, a large drift) ranks below
// a one-hour shift of `hour` (a daylight-saving bug upstream, a smaller drift) on a feature
// the model relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProfile } from '../../src/drift/profile.js';
import { compareDatasets } from '../../src/drift/columnDrift.js';
import { loadTrainingRows } from '../../src/models/trainFromCsv.js';
import { applyIncident, parseIncident } from '../../src/replay/incident.js';
import { rankDriftResults } from '../../src/quality/report.js';
import { flightsModels, FLIGHT_FEATURES } from '../helpers/flightsStream.js';
import { FLIGHTS_CSV } from '../models/flights.js';

const { january } = await flightsModels();

test('training stores permutation importance: hour matters to the flights logreg, distance hardly', (t) => {
  const imp = january.importance!;
  assert.equal(imp.metric, 'logLoss');
  assert.ok(imp.rows > 10_000, 'measured on the held-out rows');
  assert.deepEqual(Object.keys(imp.values).sort(), [...FLIGHT_FEATURES].sort());
  t.diagnostic(`importance (log-loss increase): ${Object.entries(imp.values).map(([f, v]) => `${f} ${v.toFixed(5)}`).join(', ')}`);
  assert.ok(imp.values.hour! > 0.005, 'hour');
  assert.ok(imp.values.distance! < imp.values.hour! / 20, 'distance near zero next to hour');
});

test('drift on distance (near-zero importance) ranks below drift on hour, though its effect is larger', async (t) => {
  const march = await loadTrainingRows({ data: FLIGHTS_CSV, label: 'delayed', time: 'ts', features: FLIGHT_FEATURES, from: '2001-03-01', until: '2001-04-01' });
  const incident = parseIncident('hour+1h@2001-03-01');
  const rows = march.rows.map((r) => {
    const shifted = applyIncident(incident, Date.parse(r.ts!), r);
    return { ...shifted, distance: Number(r.distance) * 1.609 };
  });
  const results = compareDatasets(january.profile, buildProfile(rows, january.schema));
  const effect = Object.fromEntries(results.map((r) => [r.feature, r.psi]));
  t.diagnostic(`PSI: ${Object.entries(effect).map(([f, v]) => `${f} ${v.toFixed(3)}`).join(', ')}`);
  assert.ok(effect.distance! > effect.hour!, 'by effect alone, distance would rank first');
  for (const f of ['hour', 'distance']) assert.equal(results.find((r) => r.feature === f)!.level, 'drift', `${f} drifts`);
  const ranked = rankDriftResults(results, january.importance!.values);
  const names = ranked.map((r) => r.feature);
  t.diagnostic(`ranked by importance × PSI: ${ranked.map((r) => `${r.feature} ${r.weighted.toFixed(5)}`).join(', ')}`);
  assert.equal(names[0], 'hour');
  assert.ok(names.indexOf('distance') > names.indexOf('hour'));
});

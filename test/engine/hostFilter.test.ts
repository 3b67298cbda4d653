/**
 * The console's per-host filter at the engine (issue 17): a real SQLite store holding lines
 * from two serving hosts, one of which logs `x` shifted by 1.5 standard deviations (a broken
 * feature pipeline on one replica). Filtered on a host, the engine's snapshot carries that
 * host's figures — the shifted host's `x` drifts, the good host's does not, and the model is
 * less accurate on the shifted one — while every fleet-wide figure and table (closed drift
 * windows, alerts, alert episodes, the fleet's drift and traffic) is exactly what it was
 * without the filter. The Drift screen's hosts view names the shifted replica, through the
 * `hosts` command's own computation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDb } from '../../store/db.js';
import { FleetStore, type RemoteLine } from '../../store/fleetStore.js';
import { Engine } from '../../src/engine/engine.js';
import { Operations } from '../../src/engine/operations.js';
import type { Snapshot } from '../../src/engine/snapshot.js';
import { LIVE_START, syntheticRows, syntheticSetup } from './syntheticStream.js';

const setup = await syntheticSetup(false);

/** Both hosts' lines in time order (as one ingest would store them), labels right after their predictions. */
function fleetLines(): RemoteLine[] {
  const hosts = [
    { host: 'web-a', rows: syntheticRows(21, LIVE_START, 3, 1500) },
    { host: 'web-b', rows: syntheticRows(22, LIVE_START, 3, 1500, { at: LIVE_START, xMean: 1.5, newCategoryShare: 0 }) },
  ];
  const all = hosts.flatMap(({ host, rows }) => rows.map((r, i) => ({ host, r, i })));
  all.sort((p, q) => p.r.ts - q.r.ts || p.host.localeCompare(q.host));
  return all.flatMap(({ host, r, i }) => {
    const origin = { id: `${host}:1:${i}`, host, ship: `s-${host}`, fileId: 1, path: '/var/log/p.jsonl' };
    const score = 1 / (1 + Math.exp(-2 * r.x));
    const id = `${host}-${i}`;
    const lines: RemoteLine[] = [
      { kind: 'prediction', origin, record: { kind: 'prediction', ts: r.ts, id, model: 'm', version: 1, features: { x: r.x, z: r.z, c: r.c }, prediction: score >= 0.5 ? 1 : 0, score, scores: null, line: 2 * i + 1 } },
      { kind: 'label', origin: { ...origin, id: `${origin.id}:l` }, record: { kind: 'label', ts: r.ts, id, label: r.y, line: 2 * i + 2 } },
    ];
    if (i === 7) lines.push({ kind: 'quarantined', origin: { ...origin, id: `${origin.id}:q` }, line: { lineNo: 9999, reason: `invalid JSON from ${host}`, text: '{', bytes: 1 } });
    return lines;
  });
}

{
  const db = openDb(setup.config.db);
  new FleetStore(db).commit(fleetLines(), [
    { name: 'x', kind: 'numeric', source: 'inferred' }, { name: 'z', kind: 'numeric', source: 'inferred' }, { name: 'c', kind: 'categorical', source: 'inferred' },
  ]);
  db.close();
}

const engine = new Engine({ config: setup.config, ingest: false });
const ops = new Operations(engine, setup.config);
await engine.start();
await engine.caughtUp();

test.after(async () => {
  ops.close();
  await engine.stop();
});

/** Everything the fleet-wide analytics wrote, and the fleet's figures on the snapshot. */
function fleetState(s: Snapshot): unknown {
  const q = (sql: string): unknown[] => engine.db.prepare(sql).all();
  return {
    windows: q('SELECT model, window_start, window_end, rows, dataset_drifted, share, results FROM drift_windows ORDER BY id'),
    alerts: q('SELECT kind, detector, subject, level, event_time, message FROM alerts ORDER BY id'),
    episodes: q('SELECT kind, subject, severity, state, first_window, message FROM alert_episodes ORDER BY id'),
    drift: s.drift, traffic: s.traffic, estimates: s.estimates, quarantine: s.quarantine.map((r) => r.reason),
  };
}

const feature = (s: Snapshot['drift'], name: string) => s.features.find((f) => f.name === name)!;

async function filtered(host: string | null): Promise<Snapshot> {
  const r = await ops.setHost(host);
  assert.equal(r.ok, true, r.message);
  await engine.caughtUp();
  return engine.current()!;
}

test('filtered on a host, the snapshot carries its own figures; the fleet-wide tables and figures stay as they were', async (t) => {
  const before = engine.current()!;
  const fleet = fleetState(before);
  assert.deepEqual(before.hosts!.list.map((h) => [h.host, h.predictions, h.labels, h.quarantined]), [['web-a', 4500, 4500, 1], ['web-b', 4500, 4500, 1]]);
  assert.equal(before.hosts!.selected, null);
  assert.equal(before.hosts!.view, null);
  assert.ok((fleet as { windows: unknown[] }).windows.length >= 2, 'the fleet closed its daily windows');

  const a = await filtered('web-a');
  const av = a.hosts!.view!;
  assert.equal(a.hosts!.selected, 'web-a');
  const b = await filtered('web-b');
  const bv = b.hosts!.view!;
  assert.equal(bv.host, 'web-b');
  assert.ok(bv.caughtUp);

  const xa = feature(av.drift, 'x');
  const xb = feature(bv.drift, 'x');
  const xf = feature(before.drift, 'x');
  t.diagnostic(`x: web-a ${xa.method} ${xa.statistic.toFixed(3)} ${xa.level}, web-b ${xb.statistic.toFixed(3)} ${xb.level}, fleet ${xf.statistic.toFixed(3)} ${xf.level}`);
  assert.equal(xa.level, 'ok', 'the good replica\'s x is like the reference');
  assert.equal(xb.level, 'drift', 'the shifted replica\'s x drifts');
  assert.ok(xb.statistic > xf.statistic && xf.statistic > xa.statistic, 'the fleet mixes both: its x lies between the two hosts\'');
  assert.equal(feature(bv.drift, 'z').level, 'ok');
  assert.equal(bv.drift.rows, 1500, 'one host\'s day: 1,500 rows in its last complete window');
  assert.equal(before.drift.rows, 3000, 'the fleet\'s window holds both hosts\' rows');

  const ta = av.traffic.find((r) => r.model === 'm@1')!;
  const tb = bv.traffic.find((r) => r.model === 'm@1')!;
  const tf = before.traffic.find((r) => r.model === 'm@1')!;
  assert.equal(ta.predictions, 4500);
  assert.equal(tb.predictions, 4500);
  assert.equal(tf.predictions, 9000);
  t.diagnostic(`rolling accuracy: web-a ${ta.accuracy}, web-b ${tb.accuracy}, fleet ${tf.accuracy}`);
  assert.ok(tb.accuracy! < ta.accuracy! - 0.05, 'the shifted inputs cost the model accuracy on web-b only');
  assert.deepEqual(bv.quarantine.map((q) => q.reason), ['invalid JSON from web-b']);
  assert.deepEqual(before.quarantine.map((q) => q.reason).sort(), ['invalid JSON from web-a', 'invalid JSON from web-b']);

  // Nothing the filter did reached the fleet's tables or figures.
  assert.deepEqual(fleetState(b), fleet);
  const back = await filtered(null);
  assert.equal(back.hosts!.view, null);
  assert.deepEqual(fleetState(back), fleet);
});

test('an unknown host is refused in one sentence and leaves the filter as it was', async () => {
  await filtered('web-a');
  const r = await ops.setHost('web-z');
  assert.deepEqual(r, { ok: false, message: 'No lines from host "web-z" in the database.' });
  assert.equal(engine.current()!.hosts!.selected, 'web-a');
  await filtered(null);
});

test('which replica differs: the hosts view has the `hosts` command\'s verdict', async () => {
  // Computed every 30 s once two hosts have sent lines: the first snapshot after start had it.
  const h = engine.current()!.hosts!;
  assert.notEqual(h.driftAt, null);
  assert.equal(h.driftRows, 2000);
  const verdict = Object.fromEntries(h.drift.map((d) => [d.host, d.drifted]));
  // Two hosts: each differs from the other (inputs alone cannot say which is wrong), on x only.
  assert.deepEqual(verdict, { 'web-a': true, 'web-b': true });
  for (const d of h.drift) {
    assert.equal(d.features.find((f) => f.feature === 'x')!.level, 'drift');
    assert.equal(d.features.find((f) => f.feature === 'z')!.level, 'ok');
  }
});

/**
 * The demo's pacing end to end below the console: a real replay process loop polls the control
 * file the console's engine writes (pause, rate) and reports its clock back; the pacer stops the
 * demo by itself on the incident's first page alert and a week into the incident.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { runReplay } from '../../src/replay/replay.js';
import { readControl, readStatus, statusPathOf, stepRate, writeControl, writeStatus, RATE_STEPS } from '../../src/replay/control.js';
import { DemoPacer } from '../../src/engine/demoPacer.js';
import { isPageAlert } from '../../src/engine/pageAlerts.js';
import { FLIGHTS_CSV } from '../models/flights.js';
import { tempDir } from '../helpers/tmp.js';
import { tinyRegistry } from '../helpers/tinyRegistry.js';
import { makeSnapshot } from '../components/fixtures.js';
import type { AlertRow, GateFigures, GateReport } from '../../src/engine/snapshot.js';

const HOUR = 3_600_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('the replay holds while the control says paused, follows a new rate, and reports its clock', { timeout: 120_000 }, async () => {
  const { dbPath } = await tinyRegistry();
  const dir = tempDir();
  const control = join(dir, 'replay-control.json');
  const status = statusPathOf(control);
  writeControl(control, { paused: true, rate: 200, stops: [], hint: null });
  const db = openDb(dbPath);
  const ac = new AbortController();
  const run = runReplay(db, {
    data: FLIGHTS_CSV, label: 'delayed', time: 'ts', out: join(dir, 'predictions'), rate: 50, labelDelayMs: 2 * HOUR,
    from: Date.parse('2001-02-01T00:00:00Z'), until: Date.parse('2001-02-03T00:00:00Z'), control, signal: ac.signal,
  });
  try {
    await waitFor(() => readStatus(status)?.paused === true, 'the replay to hold');
    await sleep(700);
    assert.equal(readStatus(status)!.rows, 0, 'nothing replayed while paused');
    assert.equal(readStatus(status)!.rate, 200, "the control's rate, not the command line's");

    writeControl(control, { paused: false, rate: 200, stops: [], hint: null });
    await waitFor(() => (readStatus(status)?.rows ?? 0) > 0, 'rows after resume');
    writeControl(control, { paused: false, rate: 3200, stops: [], hint: null });
    await waitFor(() => readStatus(status)?.rate === 3200, 'the new rate');
    const a = readStatus(status)!;
    await waitFor(() => (readStatus(status)?.rows ?? 0) > a.rows, 'rows at the new rate');
    const b = readStatus(status)!;
    assert.ok(b.eventTime! > a.eventTime!, 'the clock moves');

    writeControl(control, { paused: true, rate: 3200, stops: [], hint: null });
    await waitFor(() => readStatus(status)?.paused === true, 'the replay to hold again');
    const held = readStatus(status)!.rows;
    await sleep(600);
    assert.equal(readStatus(status)!.rows, held, 'no rows while paused again');

    // A hold point: the replay stops by itself before the first row at or after it.
    const holdAt = Date.parse('2001-02-02T12:00:00Z');
    writeControl(control, { paused: false, rate: 3200, stops: [], hint: null, holdAt });
    await waitFor(() => { const st = readStatus(status); return !!st && st.paused && (st.eventTime ?? 0) > holdAt - HOUR; }, 'the hold at 02-02 12:00');
    await sleep(500);
    const st = readStatus(status)!;
    assert.ok(st.eventTime! < holdAt, 'nothing at or after the hold point');
    const written = readdirSync(join(dir, 'predictions')).flatMap((f) => readFileSync(join(dir, 'predictions', f), 'utf8').split('\n').filter(Boolean))
      .map((l) => JSON.parse(l) as { ts: string; model?: string }).filter((l) => l.model);
    assert.ok(written.every((l) => Date.parse(l.ts) < holdAt), 'no prediction at or after the hold point');
    assert.ok(written.some((l) => Date.parse(l.ts) > holdAt - HOUR), 'predictions up to it');
  } finally {
    ac.abort();
    await run;
    db.close();
  }
});

test('rates step through a fixed ladder and stop at its ends', () => {
  assert.equal(stepRate(400, 1), 800);
  assert.equal(stepRate(400, -1), 200);
  assert.equal(stepRate(300, 1), 400, 'a rate off the ladder steps to the next rung');
  assert.equal(stepRate(RATE_STEPS[RATE_STEPS.length - 1], 1), RATE_STEPS[RATE_STEPS.length - 1]);
  assert.equal(stepRate(RATE_STEPS[0], -1), RATE_STEPS[0]);
});

// Episodes open at wall-clock time; `since` is the event time their condition started at.
const alert = (over: Partial<AlertRow>): AlertRow => ({
  id: '1', at: Date.now(), since: Date.parse('2001-02-10T00:00:00Z'), kind: 'feature-drift', detector: null, subject: 'hour', level: 'drift',
  severity: 'page', state: 'open', updatedAt: Date.now(), message: 'hour drifted', ...over,
});

test('the demo stops by itself on the incident’s first page alert, then a week into the incident, each once', async () => {
  const dir = tempDir();
  const control = join(dir, 'replay-control.json');
  writeControl(control, { paused: false, rate: 400, stops: [], hint: null });
  const incidentFrom = Date.parse('2001-03-01T00:00:00Z');
  const previews: string[] = [];
  const pacer = new DemoPacer({
    control, incidentFrom,
    gatePreview: async (target) => {
      previews.push(target);
      return { target, active: 'flights-logreg@1', status: 'evaluated', figures: { pass: true } as GateFigures, message: 'pass' } satisfies GateReport;
    },
  });
  const snap = makeSnapshot();
  // A page alert of a storm before the incident (opened now, by the wall clock) and an info one
  // inside it: no stop.
  pacer.observe({ ...snap, alerts: [alert({}), alert({ since: incidentFrom + HOUR, kind: 'error-rate', severity: 'info', level: 'warn' })], pairs: [], jobs: [] });
  assert.equal(readControl(control)!.paused, false);
  assert.equal(isPageAlert(alert({ severity: 'info' })), false);

  pacer.observe({ ...snap, alerts: [alert({ since: incidentFrom, kind: 'dataset-drift', subject: 'flights-logreg@1' }), alert({ since: incidentFrom })], pairs: [], jobs: [] });
  let c = readControl(control)!;
  assert.equal(c.paused, true);
  assert.match(c.hint!, /first page alert, hour drifted\. See 2 Drift/);
  assert.deepEqual(c.stops, ['incident']);
  assert.equal(pacer.view()!.hint, c.hint, 'the header gets the hint');

  // Resuming clears the hint; the same alert does not stop the demo again.
  assert.equal(pacer.pace('toggle').ok, true);
  pacer.observe({ ...snap, alerts: [alert({ since: incidentFrom })], pairs: [], jobs: [] });
  c = readControl(control)!;
  assert.equal(c.paused, false);
  assert.equal(c.hint, null);

  // The replay is told to hold a week into the incident, by itself, whatever its rate.
  const holdAt = incidentFrom + 6.5 * 24 * HOUR;
  assert.equal(c.holdAt, holdAt);
  // Held there (its last row just before), with ingest caught up: time to retrain.
  writeStatus(statusPathOf(control), { at: Date.now(), eventTime: holdAt - 60_000, rows: 1, paused: true, rate: 400, done: false });
  pacer.observe({ ...snap, ingest: { ...snap.ingest, caughtUp: false }, alerts: [], pairs: [], jobs: [] });
  assert.equal(readControl(control)!.hint, null, 'not while ingest is behind: the retrain reads the store');
  pacer.observe({ ...snap, alerts: [], pairs: [], jobs: [] });
  c = readControl(control)!;
  assert.equal(c.holdAt, null, 'the hold point is spent');
  assert.equal(c.paused, true);
  assert.match(c.hint!, /Retrain on it: 5, then r/);

  // + and - step the rate and keep the pause.
  pacer.pace('faster');
  assert.equal(readControl(control)!.rate, 800);
  pacer.pace('slower');
  pacer.pace('slower');
  assert.equal(readControl(control)!.rate, 200);
  assert.equal(readControl(control)!.paused, true);
});

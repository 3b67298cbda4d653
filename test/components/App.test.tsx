import React from 'react';
import type { Snapshot } from '../../src/engine/snapshot.js';
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import { open, KEY, selectedLine, untilReading, waitForFrame } from './harness.js';
import { makeSnapshot, recorder, count } from './fixtures.js';

void React;
afterEach(() => cleanup());

test('header shows database, backend, ingest, active model, alerts and the demo notice', async () => {
  const h = await open();
  const f = h.frame();
  assert.match(f, /db \/srv\/mlops\/demo\.sqlite/);
  assert.match(f, /backend wasm/);
  assert.match(f, /1234 lines\/s/);
  assert.match(f, /482k preds 301k labels/);
  assert.match(f, /1 page alert /); // open page episodes only (issue 12): the info one is not counted
  assert.match(f, /DEMO: simulated upstream incident/);
});

test('overview renders traffic, coverage, rolling metrics and open alerts', async () => {
  const h = await open();
  const f = h.frame();
  assert.match(f, /\[1 Overview\]/);
  const row = f.split('\n').find((l) => l.includes('flights-logreg@1')) ?? '';
  for (const v of ['active', '161k', '100k', '62%', '77.8%', '0.576', '0.475', '80.1%']) assert.ok(row.includes(v), `${v} in ${row}`);
  assert.match(f, /hour drifted: normalised Wasserste/);
  // The Overview lists the page alerts; the rest wait on Events.
  assert.match(f, /open page alerts \(1\) · 1 info on 6 Events/);
  assert.doesNotMatch(f, /concept-drif/);
});

test('overview charts each model’s accuracy per window, realised and estimated, over the reference band', async () => {
  const day = 86_400_000;
  const windows = Array.from({ length: 20 }, (_, i) => ({
    start: Date.UTC(2001, 1, 1) + i * day, end: Date.UTC(2001, 1, 2) + i * day, rows: 2400, labelled: 2400, alert: false,
    estimated: 0.8 - (i >= 14 ? 0.05 : 0), band: [0.78, 0.82], realised: 0.79 - (i >= 14 ? 0.1 : 0) + (i % 3) * 0.005,
  }));
  const estimates = [
    { model: 'flights-logreg@1', alias: 'active', metric: 'accuracy', reference: null, threshold: { lower: 0.75, upper: 0.85 }, windows },
    { model: 'flights-mlp@2', alias: 'shadow', metric: 'accuracy', reference: null, threshold: { lower: 0.76, upper: 0.86 }, windows },
  ];
  const h = await open({ snapshot: { ...makeSnapshot(), estimates } as Snapshot, columns: 120, rows: 36 });
  const f = h.frame();
  assert.match(f, /^flights-logreg@1 active · accuracy per window +● realised +○ estimated +░ reference band/m);
  assert.match(f, /^flights-mlp@2 shadow · accuracy per window/m);
  assert.match(f, /░/);
  assert.match(f, /●/);
  assert.match(f, /open page alerts \(1\)/, 'the page alerts are still there under the charts');
  // At 80×24 the active model's chart still fits beside the table and the alerts.
  const small = await open({ snapshot: { ...makeSnapshot(), estimates } as Snapshot });
  assert.match(small.frame(), /^flights-logreg@1 active · accuracy per window/m);
  assert.match(small.frame(), /open page alerts \(1\)/);
});

test('the console follows new snapshots', async () => {
  const h = await open();
  h.src.push(makeSnapshot({ ingest: { ratePerSec: 42, predictions: 5, labels: 1, quarantined: 0, files: 1, caughtUp: false } }));
  await h.waitFor(/42 lines\/s \(catching up\) │ 5 preds 1 labels/);
});

test('waits politely for the first snapshot', async () => {
  const h = await open({ snapshot: null });
  assert.match(h.frame(), /waiting for the engine/);
  await h.press('2', 'j', KEY.enter, 'p');
  assert.match(h.frame(), /\[2 Drift\]/);
});

test('number keys, Tab and Shift-Tab switch screens', async () => {
  const h = await open();
  await h.press('2');
  assert.match(h.frame(), /\[2 Drift\]/);
  assert.match(h.frame(), /wasserstein|wasser/);
  await h.press(KEY.tab);
  assert.match(h.frame(), /\[3 Shadow\]/);
  await h.press(KEY.shiftTab);
  assert.match(h.frame(), /\[2 Drift\]/);
  await h.press('6');
  assert.match(h.frame(), /\[6 Events\]/);
  await h.press(KEY.tab);
  assert.match(h.frame(), /\[7 Quality\]/);
  await h.press(KEY.tab);
  assert.match(h.frame(), /\[1 Overview\]/);
  await h.press('5');
  assert.match(h.frame(), /\[5 Retrain\]/);
});

test('j/k and arrows move the selection', async () => {
  const h = await open();
  await h.press('4');
  assert.match(selectedLine(h.frame()), /flights-logreg\s+1 active/);
  await h.press('j');
  assert.match(selectedLine(h.frame()), /flights-mlp\s+2 shadow/);
  await h.press(KEY.down);
  assert.match(selectedLine(h.frame()), /flights-logreg\s+3 shadow/);
  await h.press('j'); // stays on the last row
  assert.match(selectedLine(h.frame()), /flights-logreg\s+3 shadow/);
  await h.press('k', KEY.up);
  assert.match(selectedLine(h.frame()), /flights-logreg\s+1 active/);
});

test('a long table scrolls with the selection and never grows past the screen', async () => {
  const s = makeSnapshot();
  const base = s.drift.features[0];
  s.drift.features = Array.from({ length: 60 }, (_, i) => ({ ...base, name: `feat${String(i).padStart(2, '0')}` }));
  const h = await open({ snapshot: s });
  await h.press('2', 'G');
  let f = h.frame();
  assert.match(selectedLine(f), /feat59/);
  assert.ok(!f.includes('feat00'));
  assert.match(f, /\/60/);
  assert.ok(f.split('\n').length <= 24);
  await h.press('g');
  f = h.frame();
  assert.match(selectedLine(f), /feat00/);
  assert.ok(!f.includes('feat59'));
});

test('/ filters the table: typing narrows, Enter keeps, Esc clears', async () => {
  const h = await open();
  await h.press('2', '/');
  await h.type('ori');
  let f = h.frame();
  assert.match(f, /origin/);
  assert.ok(!/^\S*\s+hour\s/m.test(f.replace(/^> /gm, '  ')), 'hour row filtered out');
  assert.ok(!f.includes('distance'));
  assert.match(f, /\/ori█/);
  await h.press(KEY.enter);
  f = h.frame();
  assert.ok(!f.includes('distance'), 'filter kept after Enter');
  assert.match(f, /\/ori/);
  await h.press('/', KEY.esc);
  f = h.frame();
  assert.match(f, /distance/);
  assert.match(f, /dow/);
});

test('filter with no match shows an empty table, backspace widens it again', async () => {
  const h = await open();
  await h.press('4', '/');
  await h.type('zzz');
  assert.ok(!h.frame().includes('flights-mlp'));
  await h.press(KEY.backspace, KEY.backspace, KEY.backspace);
  assert.match(h.frame(), /flights-mlp/);
});

test('backspaces that arrive in one read erase one character each', async () => {
  const h = await open();
  await h.press('4', '/');
  await h.type('zzz');
  await h.press(KEY.backspace.repeat(2));
  assert.match(h.frame(), /\/z█/);
});

test('? shows help with every key of the current screen, Esc closes it', async () => {
  const h = await open();
  await h.press('4', '?');
  let f = h.frame();
  assert.match(f, /Keys: Models/);
  assert.match(f, /p\s+promote \(confirms\)/);
  assert.match(f, /u\s+rollback \(confirms\)/);
  assert.match(f, /:promote NAME@VERSION/);
  await h.press(KEY.esc);
  f = h.frame();
  assert.ok(!f.includes('Keys: Models'));
  await h.press('5', '?');
  f = h.frame();
  assert.match(f, /r\s+retrain/);
  assert.match(f, /c\s+cancel job \(confirms\)/);
  assert.ok(!f.includes('rollback (confirms)'), 'help lists only this screen\'s keys');
});

test('the key-hint line is rebuilt from the current screen', async () => {
  const h = await open();
  const last = () => h.frame().split('\n').at(-1) ?? '';
  await h.press('4');
  assert.match(last(), /p promote {2}u rollback/);
  await h.press('5');
  assert.match(last(), /r retrain {2}c cancel job/);
  await h.press('2');
  assert.match(last(), /⏎ chart/);
});

test('promote: p shows the gate result, Enter on the initial Cancel does not promote', async () => {
  const h = await open();
  await h.press('4', 'j', 'p');
  let f = h.frame();
  assert.match(f, /Promote flights-mlp@2\?/);
  assert.match(f, /verdict +pass: candidate beats active/);
  // the interval is at the configured reliability, and the McNemar p is the gate's own
  assert.match(f, /interval \[0\.0521, 0\.0615\] at 0\.999; McNemar p 1e-32/);
  assert.match(f, /budget +7 of 10 evaluations left/);
  assert.match(f, /\[> Cancel <\]/);
  await h.press(KEY.enter);
  assert.equal(count(h.commands.calls, 'promote'), 0);
  assert.equal(count(h.commands.calls, 'gatePreview'), 1);
  f = h.frame();
  assert.match(f, /Cancelled\./);
  assert.ok(!f.includes('Promote flights-mlp@2?'));
});

test('promote: moving to Confirm and Enter calls promote once', async () => {
  const h = await open();
  await h.press('4', 'j', 'p', KEY.right);
  assert.match(h.frame(), /\[> Promote <\]/);
  await h.press(KEY.enter);
  await h.waitFor(/done/, 'the flash line with the engine\'s answer');
  const calls = h.commands.calls.filter((c) => c.name === 'promote');
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].args, ['flights-mlp@2', { force: false }]);
});

test('promote: Esc cancels, and nothing happens on a single key press', async () => {
  const h = await open();
  await h.press('4', 'j', 'p', KEY.tab, KEY.esc);
  assert.equal(count(h.commands.calls, 'promote'), 0);
  await h.press('p');
  assert.match(h.frame(), /\[> Cancel <\]/, 'focus starts on Cancel again');
  assert.equal(count(h.commands.calls, 'promote'), 0);
});

test('promote: a failing gate is shown as FAIL with how to override', async () => {
  const h = await open({ commands: recorder({ pass: false, refused: 'budget-spent', message: 'refused: budget spent: wait for fresh labels' }) });
  await h.press('4', 'j', 'j', 'p');
  const f = h.frame();
  assert.match(f, /verdict +refused: budget spent/);
  assert.match(f, /--force/);
});

test('promote: the active model cannot be promoted again', async () => {
  const h = await open();
  await h.press('4', 'p');
  assert.match(h.frame(), /already active/);
  assert.equal(count(h.commands.calls, 'gatePreview'), 0);
});

test('rollback: u asks, Cancel does nothing, Confirm rolls back the selected name', async () => {
  const h = await open();
  await h.press('4', 'u');
  assert.match(h.frame(), /Roll back flights-logreg\?/);
  assert.match(h.frame(), /active now: flights-logreg@1/);
  await h.press(KEY.enter);
  assert.equal(count(h.commands.calls, 'rollback'), 0);
  await h.press('u', KEY.esc);
  assert.equal(count(h.commands.calls, 'rollback'), 0);
  await h.press('u', KEY.tab, KEY.enter);
  await h.waitFor(/done/, 'the flash line with the engine\'s answer');
  const calls = h.commands.calls.filter((c) => c.name === 'rollback');
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].args, ['flights-logreg']);
});

test(':promote x@3 goes through the same confirmation', async () => {
  const h = await open();
  await h.press(':');
  await h.type('promote flights-logreg@3');
  assert.match(h.frame(), /:promote flights-logreg@3█/);
  await h.press(KEY.enter);
  assert.match(h.frame(), /Promote flights-logreg@3\?/);
  assert.equal(count(h.commands.calls, 'promote'), 0);
  await h.press(KEY.right, KEY.enter);
  await h.waitFor(/done/, 'the flash line with the engine\'s answer');
  const calls = h.commands.calls.filter((c) => c.name === 'promote');
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].args, ['flights-logreg@3', { force: false }]);
});

test(':promote --force says so and passes force', async () => {
  const h = await open();
  await h.press(':');
  await h.type('promote flights-mlp@2 --force');
  await h.press(KEY.enter);
  assert.match(h.frame(), /Force promote flights-mlp@2\?/);
  assert.match(h.frame(), /FORCE: the gate is overridden/);
  await h.press(KEY.left, KEY.enter);
  await h.waitFor(/done/, 'the flash line with the engine\'s answer');
  assert.deepEqual(h.commands.calls.find((c) => c.name === 'promote')?.args, ['flights-mlp@2', { force: true }]);
});

test('an unknown command flashes an error and calls nothing', async () => {
  const h = await open();
  await h.press(':');
  await h.type('frobnicate');
  await h.press(KEY.enter);
  assert.match(h.frame(), /Unknown command ":frobnicate"/);
  assert.equal(h.commands.calls.length, 0);
});

test(':rollback and :retrain reach the engine; Esc leaves the command line', async () => {
  const h = await open();
  await h.press(':');
  await h.type('retrain --type mlp --rows 5000');
  await h.press(KEY.enter);
  await h.waitFor(/done/, 'the flash line with the engine\'s answer');
  assert.deepEqual(h.commands.calls.find((c) => c.name === 'retrain')?.args, [{ type: 'mlp', rows: 5000, model: 'flights-logreg' }]);
  await h.press(':');
  await h.type('rollback');
  await h.press(KEY.enter, KEY.tab, KEY.enter);
  await h.waitFor(() => count(h.commands.calls, 'rollback') === 1, 'the rollback call');
  await h.press(':', 'q', KEY.esc, '2');
  assert.match(h.frame(), /\[2 Drift\]/, 'Esc left the command line without quitting');
});

test('q quits: the app stops reading keys', async () => {
  const h = await open();
  assert.equal(await h.press('q'), true);
  assert.equal(await h.press('2'), false, 'no key is read after q');
  assert.match(h.frame(), /\[1 Overview\]/);
});

test(':q quits', async () => {
  const h = await open();
  assert.equal(await h.press(':', 'q', KEY.enter), true);
  assert.equal(await h.press('3'), false, 'no key is read after :q');
  assert.ok(!h.frame().includes('[3 Shadow]'));
});

test('a refused command shows the engine\'s reason on the flash line', async () => {
  const h = await open({ commands: recorder({}, { ok: false, message: 'Gate refused: candidate not better (p 0.41).' }) });
  await h.press('4', 'j', 'p', KEY.right, KEY.enter);
  await h.waitFor(/Gate refused: candidate not better/);
});

test('drift: table shows method, statistic, level and sparkline; Enter opens chart and histograms; Esc returns', async () => {
  const h = await open();
  await h.press('2');
  let f = h.frame();
  const hour = selectedLine(f);
  assert.match(hour, /0\.6412/);
  assert.match(hour, /drift/);
  assert.match(hour, /▁▁▁███/);
  assert.match(f, /dow .*0\.002 .*warn/);
  await h.press(KEY.enter);
  f = h.frame();
  assert.match(f, /hour · numeric · wasserstein 0\.6412/);
  assert.match(f, /┤/, 'asciichart axis');
  assert.match(f, /12-18 +35\.0% █+ +20\.0% █+/);
  await h.press('j');
  assert.match(h.frame(), /distance · numeric/);
  await h.press(KEY.esc);
  f = h.frame();
  assert.ok(!f.includes('┤'));
  assert.match(selectedLine(f), /distance/);
});

test('shadow: pairs with agreement, realised and estimated metrics, interval, p-value, verdict, budget', async () => {
  const h = await open();
  await h.press('3');
  const f = h.frame();
  assert.match(f, /flights-logreg@3 +flights-logreg@1 +161k +73\.2% +\+5\.7 +1e-32 better +7\/10/);
  assert.match(f, /realised acc 77\.8% → 83\.5%/);
  assert.match(f, /95% \[\+5\.2,\+6\.2\]/);
  assert.match(f, /estimated \(CBPE\) acc 80\.1% → 83\.0%/);
  assert.match(f, /gate budget 7\/10/);
  await h.press('j');
  assert.match(h.frame(), /verdict: no-difference/);
});

test('retrain: jobs with progress, r starts, c asks before stopping', async () => {
  const h = await open();
  await h.press('5');
  let f = h.frame();
  assert.match(f, /job-7 +flights-logreg +logreg running +(█+)(░+) +40% +4\/10 0\.4711 +1m35s/);
  // A finished job is 100% even when early stopping ended it before its last epoch.
  assert.match(f, /job-5 +flights-logreg +logreg done +█+ +100% +11\/12/);
  assert.match(f, /auc 0\.598/);
  await h.press('r');
  await h.waitFor(/done/, 'the flash line with the engine\'s answer');
  assert.deepEqual(h.commands.calls.find((c) => c.name === 'retrain')?.args, [{ model: 'flights-logreg' }]);
  await h.press('c');
  assert.match(h.frame(), /Stop retrain job job-7\?/);
  await h.press(KEY.enter);
  assert.equal(count(h.commands.calls, 'cancelJob'), 0);
  await h.press('c', KEY.right, KEY.enter);
  await h.waitFor(() => count(h.commands.calls, 'cancelJob') === 1, 'the cancel call');
  assert.deepEqual(h.commands.calls.find((c) => c.name === 'cancelJob')?.args, ['job-7']);
  await h.press('j');
  f = h.frame();
  assert.match(f, /failed at epoch 2 of 20: worker ran out of memory/);
  await h.press('c');
  await h.press('j');
  f = h.frame();
  assert.match(f, /\[█+\] 100% · epoch 11 of 12/, 'the finished job is whole');
  assert.match(f, /early stopping at epoch 11 of 12: the validation loss stopped improving\n.*registered flights-logreg@3 as a shadow/);
  assert.match(h.frame(), /nothing to cancel/);
});

test('events: audit trail, alerts and quarantined lines with reasons', async () => {
  const h = await open();
  await h.press('6');
  assert.match(h.frame(), /alice fro/);
  assert.match(h.frame(), /promote/);
  await h.press('x');
  let f = h.frame();
  assert.match(f, /missing field "id"/);
  assert.match(f, /preds-0001\.jsonl/);
  await h.press('a');
  f = h.frame();
  assert.match(f, /error rate rose/);
  assert.match(f, /feature-drift/);
  assert.match(f, /page open/);
  // On the alerts list, `a` acknowledges the selected alert through the engine.
  await h.press('a');
  assert.deepEqual(h.commands.calls.find((c) => c.name === 'ackAlert')?.args, ['a1']);
  await h.press(KEY.right);
  assert.match(h.frame(), /\[x quarantine \(2\)\]/);
});

test('read-only strips dangerous keys and refuses dangerous commands', async () => {
  const h = await open({ readOnly: true });
  await h.press('4');
  assert.ok(!(h.frame().split('\n').at(-1) ?? '').includes('promote'));
  assert.match(h.frame(), /read-only/);
  await h.press('j', 'p');
  assert.ok(!h.frame().includes('Promote flights-mlp@2?'));
  assert.match(h.frame(), /Read-only console/);
  await h.press(':');
  await h.type('promote flights-mlp@2');
  await h.press(KEY.enter, KEY.right, KEY.enter);
  assert.equal(h.commands.calls.length, 0);
});

const ALL = ['1', '2', '3', '4', '5', '6', '7'];

test('at 80x24 no line is wider than 80 and the frame is never taller than 24', async () => {
  const s = makeSnapshot();
  s.models[0].name = 'a-very-long-model-name-that-goes-on-and-on-and-on-forever-and-ever';
  s.drift.features[0].name = 'feature_with_a_really_long_name_from_some_upstream_schema_xxxxxxxxxxxx';
  s.notice = 'N'.repeat(200);
  s.quarantine[0].text = '{' + 'x'.repeat(500) + '}';
  const h = await open({ snapshot: s });
  const check = (where: string) => {
    const lines = h.frame().split('\n');
    assert.ok(lines.length <= 24, `${where}: ${lines.length} lines`);
    for (const l of lines) assert.ok([...l].length <= 80, `${where}: ${[...l].length} wide: ${l}`);
  };
  for (const k of ALL) {
    await h.press(k);
    check(`screen ${k}`);
  }
  await h.press('2', KEY.enter);
  check('drift detail');
  await h.press(KEY.esc, '4', '?');
  check('help');
  await h.press(KEY.esc, 'j', 'p');
  check('confirm');
});

test('at 200x60 the frame fills the terminal without overflowing', async () => {
  const h = await open({ columns: 200, rows: 60 });
  for (const k of ALL) {
    await h.press(k);
    const lines = h.frame().split('\n');
    assert.ok(lines.length <= 60 && lines.length >= 50, `${lines.length} lines`);
    for (const l of lines) assert.ok([...l].length <= 200);
  }
});

test('escape sequences in model and feature names never reach the terminal', async () => {
  const s = makeSnapshot();
  s.models[1].name = 'evil\u001b]0;owned\u0007-model';
  s.traffic[1].model = 'evil\u001b]0;owned\u0007-model@2';
  s.pairs[1].candidate = 'evil\u001b]0;owned\u0007-model@2';
  s.drift.features[1].name = 'dist\u001b[2Jance';
  s.drift.features[1].histogram.labels[0] = 'cat\u001b[31m\u009b2J';
  s.quarantine[0].text = 'bad\u001b]0;owned\u0007line\u001b[2J';
  s.quarantine[0].reason = 'reason\u0000\u0008\u007f';
  s.alerts[0].message = 'hello\u001b]8;;http://evil\u001b\\link';
  s.notice = 'demo\u001b[2J';
  const h = await open({ snapshot: s });
  const frames: string[] = [];
  for (const k of ALL) {
    await h.press(k);
    frames.push(h.frame());
  }
  await h.press('2', 'j', KEY.enter);
  frames.push(h.frame());
  await h.press(KEY.esc, '6', 'x');
  frames.push(h.frame());
  for (const f of frames) {
    assert.ok(!f.includes('\u001b'), 'no ESC at all (colour is off)');
    assert.ok(!f.includes('owned'), 'OSC payload gone');
    assert.ok(!f.includes('[2J'));
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(f), 'no control characters');
  }
  const all = frames.join('\n');
  assert.match(all, /evil-model/);
  assert.match(frames[2], /^[> ] evil-model@2~[0-9a-z]{4} +flights-logreg@1 /m, 'the Shadow pair row, stripped and marked');
  assert.match(all, /distance/);
  assert.match(all, /badline/);
});

test('re-lays out when the terminal is resized', async () => {
  const { render } = await import('ink-testing-library');
  const { App } = await import('../../components/App.js');
  const { source } = await import('./fixtures.js');
  const r = render(<App snapshots={source(makeSnapshot())} commands={recorder()} noColor />);
  const frame = () => r.lastFrame() ?? '';
  // The resize listener is attached by an effect in the same pass as Ink's key reading.
  await untilReading(r.stdin as unknown as Parameters<typeof untilReading>[0], r.lastFrame);
  const stdout = r.stdout as unknown as NodeJS.EventEmitter;
  const setSize = (columns: number, rows: number) => {
    Object.defineProperty(stdout, 'columns', { value: columns, configurable: true });
    Object.defineProperty(stdout, 'rows', { value: rows, configurable: true });
    stdout.emit('resize');
  };
  setSize(120, 40);
  await waitForFrame(frame, (f) => f.split('\n').length === 39, 'the 120×40 layout');
  let lines = frame().split('\n');
  assert.equal(lines.length, 39);
  assert.ok(lines.some((l) => l.length > 80), 'uses the wider terminal');
  setSize(60, 20);
  await waitForFrame(frame, (f) => f.split('\n').every((l) => [...l].length <= 60), 'the 60×20 layout');
  lines = frame().split('\n');
  assert.ok(lines.length <= 20, `${lines.length} lines`);
  for (const l of lines) assert.ok([...l].length <= 60, l);
});

test('demo: the header shows the replay, its rate and clock, and the hint of a stop; space, + and - pace it', async () => {
  const demo = { paused: false, holding: false, rate: 400, clock: Date.parse('2001-02-14T13:05:00Z'), done: false, hint: null };
  const h = await open({ snapshot: { ...makeSnapshot(), demo } });
  let f = h.frame();
  assert.match(f, /^DEMO playing · 400 rows\/s · replay at 2001-02-14 13:05 │ simulated upstream/m);
  assert.match(f, /^space pause  \+\/- rate/m, 'the hint line leads with the pacing keys');
  await h.press(' ', '+', '-', '=');
  assert.deepEqual(h.commands.calls.filter((c) => c.name === 'pace').map((c) => c.args[0]), ['toggle', 'faster', 'slower', 'faster']);
  h.src.push({ ...makeSnapshot(), demo: { ...demo, paused: true, holding: true, hint: 'Paused: the incident’s first page alert, hour drifted. See 2 Drift.' } });
  f = await h.waitFor(/^DEMO PAUSED/m, 'the paused demo header');
  assert.match(f, /^DEMO PAUSED · 400 rows\/s/m);
  assert.match(f, /^Paused: the incident’s first page alert, hour drifted\. See 2 Drift\.$/m);
  assert.equal(f.split('\n').length, 23, 'the frame keeps its height with the extra header line');
  // Help lists the demo keys.
  await h.press('?');
  assert.match(h.frame(), /space +pause\/resume replay/);
});

test('outside the demo, space, + and - do nothing and the hint line does not offer them', async () => {
  const h = await open();
  await h.press(' ', '+', '-');
  assert.equal(count(h.commands.calls, 'pace'), 0);
  assert.doesNotMatch(h.frame(), /space pause/);
});

test('keys of one read reach the screen the first of them opened ("6x" shows the quarantine)', async () => {
  const h = await open();
  await h.press('6x');
  assert.match(h.frame(), /\[x quarantine \(2\)\]/);
  await h.press('4j');
  assert.match(selectedLine(h.frame()), /flights-mlp/);
});

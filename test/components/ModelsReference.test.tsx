/** The Models screen's CBPE reference (issue 12): what is in force per version, and `r`'s period dialog. */
import React from 'react';
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import type { Snapshot } from '../../src/engine/snapshot.js';
import { open, KEY, selectedLine } from './harness.js';
import { count, defaultSuggestion, makeSnapshot, recorder, withEstimates } from './fixtures.js';

void React;
afterEach(() => cleanup());

/** The fixtures' models plus one only the logs know (served elsewhere, never registered), without a reference. */
function withLogOnly(): Snapshot {
  const s = withEstimates(makeSnapshot());
  s.traffic = [...s.traffic, { model: 'vendor-model@7', alias: 'unregistered', predictions: 50_000, labelled: 31_000, coverage: 0.62, accuracy: 0.7412, logLoss: 0.52, auc: 0.66, estAccuracy: null }];
  s.estimates = [...s.estimates, { model: 'vendor-model@7', alias: 'unregistered', metric: 'accuracy', reference: null, threshold: null, windows: [] }];
  return s;
}

const pins = (h: { commands: { calls: Array<{ name: string; args: unknown[] }> } }) => h.commands.calls.filter((c) => c.name === 'pinReference');

test('models: the selected version’s CBPE reference, held-out or pinned with its period and rows, or none', async () => {
  const h = await open({ snapshot: withLogOnly() });
  await h.press('4');
  assert.match(h.frame(), /^reference: held-out rows 2001-01-25 … 2001-02-01, 9871 rows · r pins a period$/m);
  await h.press('j');
  assert.match(h.frame(), /^reference: pinned 2001-01-25 … 2001-02-01, 16\.8k rows · r pins another$/m);
  // The version only the logs know is listed after the registry, with no estimate until one is pinned.
  await h.press('G');
  let f = h.frame();
  assert.match(selectedLine(f), /vendor-model@7 +– logs only/);
  assert.match(f, /^vendor-model@7 not in registry: seen in the logs only/m);
  assert.match(f, /^reference: none, so no estimate · r pins a period of its labelled traffic$/m);
  await h.press('p');
  assert.match(h.frame(), /vendor-model@7 is not in the registry/);
  assert.equal(count(h.commands.calls, 'gatePreview'), 0);
  // A registry version without traffic yet has no monitor and so no reference shown.
  const quiet = await open();
  await quiet.press('4');
  f = quiet.frame();
  assert.match(f, /^reference: not known until the model serves traffic/m);
});

test('r opens the period dialog on the first labelled week; Enter walks the fields to Cancel, which pins nothing', async () => {
  const h = await open({ snapshot: withLogOnly() });
  await h.press('4', 'j', 'r');
  const f = await h.waitFor(/│ > from +2001-02-01█/, 'the suggested week in the fields');
  assert.match(f, /Pin the CBPE reference of flights-mlp@2/);
  assert.match(f, /│ {3}until +2001-02-08 /);
  assert.match(f, /first labelled week: 118k labelled rows with a score \(500 needed\)/);
  assert.match(f, /in force: held-out rows from training, 9871 rows \(a pin wins over them\)/);
  assert.match(f, /\[ {2}Cancel {2}\] +\[ {2}Pin {2}\]/);
  assert.deepEqual(h.commands.calls.find((c) => c.name === 'suggestReference')?.args, ['flights-mlp@2']);
  await h.press(KEY.enter);
  assert.match(h.frame(), /│ > until +2001-02-08█/);
  await h.press(KEY.enter);
  assert.match(h.frame(), /\[> Cancel <\]/, 'Enter on the last field lands on Cancel');
  await h.press(KEY.enter);
  assert.match(h.frame(), /Cancelled\./);
  assert.doesNotMatch(h.frame(), /Pin the CBPE reference/);
  assert.equal(pins(h).length, 0);
});

test('editing the period and choosing Pin sends it, parsed by core’s time parser, through the engine commands', async () => {
  const h = await open({ snapshot: withLogOnly() });
  await h.press('4', 'j', 'r');
  await h.waitFor(/> from +2001-02-01█/);
  await h.press(KEY.backspace, KEY.backspace);
  await h.type('03');
  assert.match(h.frame(), /> from +2001-02-03█/);
  await h.press(KEY.tab);
  await h.press(...Array.from({ length: 10 }, () => KEY.backspace));
  // 'q' and 'j' are text in a field, not quit or move.
  await h.type('2001-02-10T12:00Z');
  assert.match(h.frame(), /> until +2001-02-10T12:00Z█/);
  await h.press(KEY.tab, KEY.right);
  assert.match(h.frame(), /\[> Pin <\]/);
  await h.press(KEY.enter);
  await h.waitFor(/done/, 'the engine’s answer on the flash line');
  assert.deepEqual(pins(h).map((c) => c.args), [['flights-mlp@2', Date.UTC(2001, 1, 3), Date.UTC(2001, 1, 10, 12)]]);
});

test('a period that does not parse, or ends before it starts, is refused in the dialog with the field named; Esc cancels', async () => {
  const h = await open({ snapshot: withLogOnly() });
  await h.press('4', 'j', 'r');
  await h.waitFor(/> from +2001-02-01█/);
  await h.press(...Array.from({ length: 10 }, () => KEY.backspace));
  await h.type('last tuesday');
  await h.press(KEY.enter, KEY.enter, KEY.tab, KEY.enter);
  let f = h.frame();
  assert.match(f, /from "last tuesday" is not an ISO 8601 time/);
  assert.match(f, /Pin the CBPE reference of flights-mlp@2/, 'the dialog stays open');
  await h.press(KEY.tab); // round to the first field
  assert.match(h.frame(), /> from +last tuesday█/);
  await h.press(...Array.from({ length: 12 }, () => KEY.backspace));
  await h.type('2001-02-09');
  await h.press(KEY.enter, KEY.enter, KEY.right, KEY.enter);
  f = h.frame();
  assert.match(f, /until must be after from/);
  assert.equal(pins(h).length, 0);
  await h.press(KEY.esc);
  assert.match(h.frame(), /Cancelled\./);
  assert.equal(pins(h).length, 0);
});

test('a log-only model is pinned the same way; one without labels gets empty fields and says why', async () => {
  const none = (target: string) => ({ ...defaultSuggestion(target), from: null, until: null, labelled: 0, current: null });
  const h = await open({ snapshot: withLogOnly(), commands: recorder({}, { ok: true, message: 'done' }, none) });
  await h.press('4', 'G', 'r');
  const f = await h.waitFor(/no labelled prediction of this model yet/);
  assert.match(f, /Pin the CBPE reference of vendor-model@7/);
  assert.match(f, /in force: no reference, so no estimate/);
  assert.match(f, /│ > from +█/);
  await h.type('2001-03-01');
  await h.press(KEY.enter);
  await h.type('2001-03-08');
  await h.press(KEY.enter, KEY.tab, KEY.enter);
  await h.waitFor(/done/);
  assert.deepEqual(pins(h).map((c) => c.args), [['vendor-model@7', Date.UTC(2001, 2, 1), Date.UTC(2001, 2, 8)]]);
});

test(':reference NAME@V opens the same dialog; read-only hides r; help lists it', async () => {
  const h = await open({ snapshot: withLogOnly(), rows: 40 });
  await h.press(':');
  await h.type('reference flights-logreg@3');
  await h.press(KEY.enter);
  await h.waitFor(/Pin the CBPE reference of flights-logreg@3/);
  await h.press(KEY.esc, '4', '?');
  assert.match(h.frame(), /r +pin reference \(confirms\)/);
  assert.match(h.frame(), /:reference NAME@VERSION/);
  await h.press(KEY.esc);
  assert.match(h.frame().split('\n').at(-1) ?? '', /p promote {2}u rollback {2}r pin reference/);

  const ro = await open({ snapshot: withLogOnly(), readOnly: true });
  await ro.press('4', 'r');
  assert.doesNotMatch(ro.frame(), /Pin the CBPE reference/);
  assert.match(ro.frame(), /Read-only console/);
  assert.equal(count(ro.commands.calls, 'suggestReference'), 0);
});

test('at 80×24 the dialog keeps its fields and buttons', async () => {
  const h = await open({ snapshot: withLogOnly() });
  await h.press('4', 'j', 'r');
  const f = await h.waitFor(/> from +2001-02-01█/);
  const lines = f.split('\n');
  assert.ok(lines.length <= 24);
  for (const l of lines) assert.ok([...l].length <= 80, l);
  assert.match(f, /until +2001-02-08/);
  assert.match(f, /\[> Cancel <\]|\[ {2}Cancel {2}\]/);
});

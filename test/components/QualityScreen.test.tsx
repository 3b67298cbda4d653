// Screen 7, Quality: rules, flagged share per window, cost and gain per feature in rank order,
// the detail of one feature, and the export command; without rules it says how to get them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QualityStatus } from '../../src/engine/snapshot.js';
import { makeSnapshot, until } from './fixtures.js';
import { KEY, open, selectedLine } from './harness.js';

const quality: QualityStatus = {
  model: 'flights@1', rules: 'config (from flights@1)', windows: 30, analysedAt: Date.parse('2001-03-31T12:00:00Z'),
  exportHint: 'mlops-tui quality export --feature F --top N',
  features: [
    { feature: 'hour', rule: 'numeric 0…23, missing ≤ 1%', violating: 11962, rows: 151872, breaches: 0, history: [0, 0, 0.15, 0.16, 0.14],
      importance: 0.0539, cost: 0.0512, costCi: [0.049, 0.053], gain: 0.0493, gainCi: [0.0482, 0.0504], basis: 'labels' },
    { feature: 'origin', rule: 'categorical 59 categories, missing ≤ 1%, new ≤ 1%', violating: 8067, rows: 151872, breaches: 31, history: [0, 0, 0.1, 0.11, 0.09],
      importance: 0.0037, cost: 0.001, costCi: [-0.001, 0.003], gain: 0.0004, gainCi: [0.0001, 0.0007], basis: 'labels' },
    { feature: 'distance', rule: 'numeric 31…4962, missing ≤ 1%', violating: 0, rows: 151872, breaches: 0, history: [0, 0, 0, 0, 0],
      importance: 0.0002, cost: null, costCi: null, gain: null, gainCi: null, basis: null },
  ],
};

test('7 opens the Quality screen: features in rank order with rule, flagged share, sparkline, cost and gain', async () => {
  const h = await open({ snapshot: makeSnapshot({ quality }) });
  await h.press('7');
  const f = h.frame();
  assert.match(f, /\[7 Quality\]/);
  assert.match(f, /flights@1 · rules from config \(from flights@1\)/);
  const lines = f.split('\n');
  const row = (name: string) => lines.findIndex((l) => l.includes(` ${name} `) || l.startsWith(`> ${name}`));
  assert.ok(row('hour') < row('origin') && row('origin') < row('distance'), 'rank order kept');
  assert.match(selectedLine(f), /hour .*numeric.*12\.0k.*7\.9%.*[▁▂▃▄▅▆▇█]+.*\+5\.1 +\+4\.9$/);
  h.unmount();
});

test('Enter shows one feature with intervals and the export command; e asks the engine to export that feature\'s rows', async () => {
  const h = await open({ snapshot: makeSnapshot({ quality }) });
  await h.press('7', 'j', KEY.enter);
  let f = h.frame();
  assert.match(f, /origin · 8067 of 152k rows flagged/);
  assert.match(f, /rule: categorical 59 categories, missing ≤ 1%, new ≤ 1%/);
  assert.match(f, /31 windows broke a share rule/);
  assert.match(f, /cleaning would buy: \+0\.0 points, 95% /);
  assert.match(f, /rows to fix first: mlops-tui quality export --feature origin --top 100/);
  await h.press(KEY.esc, 'e');
  await until(() => h.commands.calls.some((c) => c.name === 'exportQualityRows'), 'the export command');
  assert.deepEqual(h.commands.calls.find((c) => c.name === 'exportQualityRows')?.args, ['origin', 100]);
  h.unmount();
});

test('without rules the screen says how to get them', async () => {
  const h = await open({ snapshot: makeSnapshot() });
  await h.press('7');
  assert.match(h.frame(), /no quality rules yet/);
  assert.match(h.frame(), /register an active model, or run `mlops-tui quality rules --from MODEL@V`/);
  h.unmount();
});

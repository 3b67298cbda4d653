/** The Shadow screen's label-free parts (issue 12): the ranking with bands, the choose.auto policy, the estimate charts. */
import React from 'react';
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import type { Snapshot } from '../../src/engine/snapshot.js';
import { open, KEY } from './harness.js';
import { makeSnapshot, withEstimates } from './fixtures.js';

void React;
afterEach(() => cleanup());

const SWITCHED = Date.UTC(2001, 2, 9, 0, 5);
const policyOn: NonNullable<Snapshot['choosePolicy']> = {
  auto: true, margin: 0.01, windows: 2, requireDrift: true,
  last: { at: SWITCHED, action: 'switch', from: 'flights-logreg@1', to: 'flights-logreg@3', reason: 'flights-logreg@3 estimated ahead of flights-logreg@1 by 5.8, 6.2 points in the last 2 windows, bands apart (no labels)' },
};
const policyOff: NonNullable<Snapshot['choosePolicy']> = { auto: false, margin: 0.01, windows: 2, requireDrift: false, last: null };

const lines = (f: string) => f.split('\n');

test('shadow ranks every model without labels in the latest complete window, with bands, confidence and the labels’ verdict', async () => {
  const h = await open({ snapshot: withEstimates(makeSnapshot(), { policy: policyOff }) });
  await h.press('3');
  const f = h.frame();
  // 2001-03-10 is still filling: the ranking is the one of 03-09.
  assert.match(f, /^ranking 2001-03-09 without labels: CONFIDENT \(bands apart\) · labels agree/m);
  assert.doesNotMatch(f, /2001-03-10/);
  // Best first, each estimate with its ±3 SE band (σ 0.4 / √17,300 rows) and the realised accuracy.
  const ranked = lines(f).filter((l) => /^\d /.test(l));
  assert.equal(ranked.length, 3);
  assert.match(ranked[0], /^1 flights-logreg@3 +shadow +est 83\.0% \[82\.1–83\.9\] +realised 83\.5%$/);
  assert.match(ranked[1], /^2 flights-logreg@1 +active +est 76\.8% \[75\.9–77\.7\] +realised 71\.2%$/);
  assert.match(ranked[2], /^3 flights-mlp@2 +shadow +est 76\.3% \[75\.4–77\.2\] +realised 72\.5%$/);
  assert.match(f, /^choose\.auto off \(never switches\) · never switched · rule: ahead 1\.0 pts/m);
  // Everything fits 80×24 beside the pairs table.
  assert.ok(lines(f).length <= 24);
  for (const l of lines(f)) assert.ok([...l].length <= 80, l);
  assert.match(f, /> flights-logreg@3 +flights-logreg@1/);
});

test('overlapping bands are not confident, labels that chose another model say so, a window still being labelled says how much', async () => {
  const s = withEstimates(makeSnapshot(), { policy: policyOff });
  const c = s.choices.at(-2)!;
  s.choices = s.choices.map((x) => (x === c ? { ...x, confident: false, byLabels: 'flights-mlp@2' } : x));
  const h = await open({ snapshot: s });
  await h.press('3');
  assert.match(h.frame(), /^ranking 2001-03-09 without labels: not confident · labels chose flights-mlp@2$/m);

  const pending = withEstimates(makeSnapshot());
  const mlp = pending.estimates.find((m) => m.model === 'flights-mlp@2')!;
  mlp.windows[8] = { ...mlp.windows[8], labelled: 6_055 };
  pending.choices = pending.choices.map((x) => (x.start === mlp.windows[8].start ? { ...x, byLabels: null } : x));
  const p = await open({ snapshot: pending });
  await p.press('3');
  assert.match(p.frame(), /· labels pending/);
  assert.match(p.frame(), /^3 flights-mlp@2 +shadow +est 76\.3% \[75\.4–77\.2\] +realised 72\.5% on 35%$/m);
});

test('choose.auto on shows its last switch first, then its rule', async () => {
  const h = await open({ snapshot: withEstimates(makeSnapshot(), { policy: policyOn }), columns: 160, rows: 36 });
  await h.press('3');
  assert.match(h.frame(), /^choose\.auto ON · last switch 2001-03-09 00:05 flights-logreg@1 → flights-logreg@3 · rule: ahead 1\.0 pts, confident, 2 windows in drift; labels can roll back/m);
  const rolled = withEstimates(makeSnapshot(), { policy: { ...policyOn, last: { ...policyOn.last!, action: 'rollback', from: 'flights-logreg@3', to: 'flights-logreg@1' } } });
  const r = await open({ snapshot: rolled, columns: 120, rows: 36 });
  await r.press('3');
  assert.match(r.frame(), /^choose\.auto ON · last rollback 2001-03-09 00:05 flights-logreg@3 → flights-logreg@1/m);
});

test('without two estimates in a complete window the screen says what is missing', async () => {
  const h = await open({ snapshot: { ...makeSnapshot(), choosePolicy: policyOff } });
  await h.press('3');
  assert.match(h.frame(), /^ranking without labels: no complete window with two estimates yet/m);
});

test('on a tall terminal the candidate’s estimate chart sits under the ranking; Enter charts both models of the pair, Esc returns', async () => {
  const h = await open({ snapshot: withEstimates(makeSnapshot(), { policy: policyOn }), columns: 120, rows: 36 });
  await h.press('3');
  let f = h.frame();
  assert.match(f, /^flights-logreg@3 shadow · held-out reference 9871 rows · ⏎ both models +● realised +○ estimated +░ estimate ±3 SE/m);
  assert.match(f, /◍|●/);
  await h.press(KEY.enter);
  f = h.frame();
  assert.match(f, /^flights-logreg@3 vs flights-logreg@1: accuracy per window, estimated without labels \(CBPE\) beside realised/m);
  assert.match(f, /^flights-logreg@3 shadow · held-out reference 9871 rows +● realised/m);
  assert.match(f, /^flights-logreg@1 active · held-out reference 9871 rows +● realised/m);
  // The January model's realised accuracy falls below its own estimate's band with the incident:
  // the lowest row of its chart holds realised points only.
  const active = lines(f).slice(lines(f).findIndex((l) => l.startsWith('flights-logreg@1 active')));
  const bottom = active.find((l) => /^ +\d+\.\d%/.test(l) && l.includes('●') && !l.includes('○') && !l.includes('░'));
  assert.ok(bottom, `a row with realised points only:\n${active.join('\n')}`);
  assert.match(f, /esc back/);
  await h.press('j');
  assert.match(h.frame(), /^flights-mlp@2 shadow · pinned reference 16\.8k rows/m);
  await h.press(KEY.esc);
  assert.match(h.frame(), /^ranking 2001-03-09 without labels/m);
});

test('a model without a reference has no chart, and the charts view says how to get one', async () => {
  const s = withEstimates(makeSnapshot());
  s.estimates = s.estimates.map((m) => (m.model === 'flights-logreg@1' ? { ...m, reference: null, threshold: null, windows: [] } : m));
  const h = await open({ snapshot: s, columns: 120, rows: 36 });
  await h.press('3', KEY.enter);
  assert.match(h.frame(), /^flights-logreg@1: no estimate per window \(no reference: pin one on 4 Models with r\)/m);
});

test('the help overlay and the hint line list the Shadow screen’s Enter', async () => {
  const h = await open({ snapshot: withEstimates(makeSnapshot()) });
  await h.press('3');
  assert.match(lines(h.frame()).at(-1) ?? '', /^p promote {2}⏎ estimates chart/);
  await h.press('?');
  assert.match(h.frame(), /⏎ +estimates chart/);
});

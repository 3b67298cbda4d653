import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseByEstimate, choiceAgreement } from '../../src/compare/choose.js';
import type { EstimateWindow, ModelEstimates } from '../../src/engine/snapshot.js';

const DAY = 86_400_000;
const win = (d: number, estimated: number, half: number, realised: number | null, labelled = 1000): EstimateWindow => ({
  start: d * DAY, end: (d + 1) * DAY, rows: 1000, estimated, band: [estimated - half, estimated + half], labelled, realised, alert: false,
});
const model = (name: string, windows: EstimateWindow[]): ModelEstimates => ({
  model: name, alias: 'shadow', metric: 'accuracy', reference: { source: 'training-holdout', rows: 5000, from: null, until: null }, threshold: { lower: 0.5, upper: 1 }, windows,
});

test('per window: ranked by estimate, confident only when the bands do not overlap, judged once labelled', () => {
  const a = model('a@1', [win(0, 0.80, 0.01, 0.79), win(1, 0.80, 0.03, 0.70), win(2, 0.70, 0.01, null, 0), win(3, 0.75, 0.01, 0.76, 900)]);
  const b = model('b@1', [win(0, 0.85, 0.01, 0.84), win(1, 0.82, 0.03, 0.75), win(2, 0.73, 0.01, null, 0), win(3, 0.70, 0.01, 0.71)]);
  const c = chooseByEstimate([a, b]);
  assert.deepEqual(c.map((x) => [x.best, x.confident, x.byLabels]), [
    ['b@1', true, 'b@1'],   // bands 0.84–0.86 vs 0.79–0.81
    ['b@1', false, 'b@1'],  // overlapping bands: not confident, though right
    ['b@1', true, null],    // no labels yet
    ['a@1', true, null],    // a's window only 90% labelled: not judged yet
  ]);
  assert.deepEqual(c[0].ranking.map((r) => r.model), ['b@1', 'a@1']);
  assert.deepEqual(choiceAgreement(c), { windows: 2, agreed: 2, confident: 1, confidentAgreed: 1 });
  // A model alone has nothing to choose against; windows without an estimate are skipped.
  assert.deepEqual(chooseByEstimate([a]), []);
});

test('estimates on disjoint reference periods are ranked but never confident; overlapping or unknown periods are', () => {
  const on = (from: number, until: number | null, windows: EstimateWindow[], name: string): ModelEstimates => ({
    ...model(name, windows), reference: { source: 'training-holdout', rows: 5000, from, until },
  });
  const a = [win(10, 0.80, 0.01, null, 0), win(11, 0.70, 0.01, null, 0)];
  const b = [win(10, 0.90, 0.01, null, 0), win(11, 0.90, 0.01, null, 0)];
  // A January reference beside a March one: the label rates of the two periods differ by more than the bands.
  const disjoint = chooseByEstimate([on(0, 7 * DAY, a, 'jan@1'), on(59 * DAY, 66 * DAY, b, 'mar@1')]);
  assert.deepEqual(disjoint.map((c) => [c.best, c.confident]), [['mar@1', false], ['mar@1', false]]);
  const shared = chooseByEstimate([on(59 * DAY, 67 * DAY, a, 'jan@1'), on(59 * DAY + 3600_000, 66 * DAY, b, 'mar@1')]);
  assert.deepEqual(shared.map((c) => [c.best, c.confident]), [['mar@1', true], ['mar@1', true]]);
  // Periods not known (a model trained without a time column) do not block confidence.
  assert.equal(chooseByEstimate([model('x@1', a), on(59 * DAY, 66 * DAY, b, 'mar@1')])[0].confident, true);
});

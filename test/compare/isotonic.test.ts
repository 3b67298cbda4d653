import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitIsotonic, predictIsotonic, predictIsotonicMany } from '../../src/compare/isotonic.js';
import { assertClose, fixtures } from './fixtures.js';

test('isotonic fit and clipped interpolation match scikit-learn', () => {
  for (const [i, c] of fixtures.isotonic.entries()) {
    const model = fitIsotonic(c.x, c.y, c.w ?? undefined);
    assert.deepEqual(model.xThresholds, c.xThresholds, `case ${i} knots`);
    assert.equal(model.yThresholds.length, c.yThresholds.length);
    model.yThresholds.forEach((v, k) => assertClose(v, c.yThresholds[k], 1e-12, `case ${i} knot ${k}`));
    const predicted = predictIsotonicMany(model, c.query);
    predicted.forEach((v, k) => assertClose(v, c.predicted[k], 1e-12, `case ${i} query ${c.query[k]}`));
  }
});

test('isotonic model survives a JSON round trip', () => {
  const c = fixtures.isotonic[0];
  const model = fitIsotonic(c.x, c.y);
  const back = JSON.parse(JSON.stringify(model));
  assert.equal(predictIsotonic(back, 0.37), predictIsotonic(model, 0.37));
});

test('a single distinct x predicts a constant', () => {
  const model = fitIsotonic([2, 2, 2], [0, 1, 1]);
  assertClose(predictIsotonic(model, -5), 2 / 3, 1e-15);
  assertClose(predictIsotonic(model, 9), 2 / 3, 1e-15);
});

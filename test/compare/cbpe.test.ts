import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CbpeAccumulator,
  calibrateBinary,
  estimateBinary,
  estimateMulticlassAccuracy,
  estimateRocAuc,
  fitBinaryCalibrator,
  fitMulticlassCalibrator,
  identityBinaryCalibrator,
} from '../../src/compare/cbpe.js';
import { accuracy, rocAuc } from '../../src/compare/metrics.js';
import { mulberry32 } from '../../src/util/random.js';
import { assertClose, fixtures } from './fixtures.js';

/** Deterministic uniform generator so the synthetic streams are reproducible. */
const rng = mulberry32;

/** Binary stream: model score s, true P(label = 1) = truth(s). */
function binaryStream(n: number, seed: number, truth: (s: number) => number) {
  const u = rng(seed);
  const scores = new Float64Array(n);
  const labels = new Float64Array(n);
  const predicted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // scores skewed towards confident values, as a real classifier's are
    const s = u() < 0.5 ? u() ** 2 : 1 - u() ** 2;
    scores[i] = s;
    labels[i] = u() < truth(s) ? 1 : 0;
    predicted[i] = s >= 0.5 ? 1 : 0;
  }
  return { scores, labels, predicted };
}

test('binary CBPE matches NannyML (re-implemented in the fixture script with sklearn isotonic)', () => {
  const c = fixtures.cbpe;
  const cal = fitBinaryCalibrator(c.referenceScores, c.referenceLabels);
  c.analysisScores.forEach((s: number, i: number) => assertClose(calibrateBinary(cal, s) + 1, c.calibrated[i] + 1, 1e-12));
  const est = estimateBinary(cal, c.analysisScores, c.analysisPredicted);
  for (const key of ['tp', 'fp', 'fn', 'tn', 'accuracy'] as const) assertClose(est[key], c[key], 1e-10, key);
  assertClose(est.rocAuc, c.rocAuc, 1e-10, 'estimated roc auc');
  assert.equal(est.n, c.analysisScores.length);
});

test('calibrated stream: estimated accuracy within 0.01 of realised on 20k rows', () => {
  const ref = binaryStream(20000, 1, (s) => s);
  const cur = binaryStream(20000, 2, (s) => s);
  const cal = fitBinaryCalibrator(ref.scores, ref.labels);
  const est = estimateBinary(cal, cur.scores, cur.predicted);
  const realised = accuracy(cur.labels, cur.predicted);
  assert.ok(Math.abs(est.accuracy - realised) < 0.01, `estimated ${est.accuracy} vs realised ${realised}`);
  const auc = rocAuc(cur.labels, cur.scores);
  assert.ok(Math.abs(est.rocAuc - auc) < 0.01, `estimated AUC ${est.rocAuc} vs realised ${auc}`);
  // the scores were already calibrated, so using them raw works too
  const raw = estimateBinary(identityBinaryCalibrator(), cur.scores, cur.predicted);
  assert.ok(Math.abs(raw.accuracy - realised) < 0.01);
});

test('miscalibrated stream: raw scores mislead, isotonic calibration fixes the estimate', () => {
  const truth = (s: number) => 0.5 + 0.5 * (s - 0.5); // the model is overconfident
  // accuracy near 0.65 is noisy (sd ≈ 0.0034 per 20k rows, from both the reference the
  // calibrator learns from and the realised labels), so this case uses 50k rows each
  const ref = binaryStream(50000, 3, truth);
  const cur = binaryStream(50000, 4, truth);
  const realised = accuracy(cur.labels, cur.predicted);
  const raw = estimateBinary(identityBinaryCalibrator(), cur.scores, cur.predicted);
  assert.ok(Math.abs(raw.accuracy - realised) > 0.05, `raw ${raw.accuracy} vs realised ${realised}`);
  const cal = fitBinaryCalibrator(ref.scores, ref.labels);
  const est = estimateBinary(JSON.parse(JSON.stringify(cal)), cur.scores, cur.predicted);
  assert.ok(Math.abs(est.accuracy - realised) < 0.01, `calibrated ${est.accuracy} vs realised ${realised}`);
  const auc = rocAuc(cur.labels, cur.scores);
  assert.ok(Math.abs(est.rocAuc - auc) < 0.015, `estimated AUC ${est.rocAuc} vs realised ${auc}`);
});

test('CbpeAccumulator is additive and reversible', () => {
  const a = new CbpeAccumulator().add(0.9, 1).add(0.2, 0);
  const b = new CbpeAccumulator().add(0.6, 1);
  const merged = CbpeAccumulator.fromJSON(a.toJSON()).merge(b);
  assertClose(merged.accuracy(), (0.9 + 0.8 + 0.6) / 3, 1e-14);
  merged.remove(0.6, 1);
  assertClose(merged.accuracy(), (0.9 + 0.8) / 2, 1e-14);
  assert.ok(Number.isNaN(new CbpeAccumulator().accuracy()));
  assert.ok(Number.isNaN(estimateRocAuc([1, 1], [0.2, 0.3])));
});

/** Multiclass stream with true class probabilities q; the model reports sharpen(q). */
function multiclassStream(n: number, seed: number, power: number) {
  const u = rng(seed);
  const probs: number[][] = [];
  const labels = new Float64Array(n);
  const predicted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const raw = [0, 1, 2].map(() => (-Math.log(1 - u())) ** 1.5);
    const sum = raw.reduce((s, v) => s + v, 0);
    const q = raw.map((v) => v / sum);
    const r = u();
    labels[i] = r < q[0] ? 0 : r < q[0] + q[1] ? 1 : 2;
    const sharp = q.map((v) => v ** power);
    const ss = sharp.reduce((s, v) => s + v, 0);
    const p = sharp.map((v) => v / ss);
    probs.push(p);
    predicted[i] = p.indexOf(Math.max(...p));
  }
  return { probs, labels, predicted };
}

test('multiclass CBPE: calibrated and miscalibrated streams within 0.01 of realised accuracy', () => {
  for (const power of [1, 2.5]) {
    const ref = multiclassStream(20000, 10 + power, power);
    const cur = multiclassStream(20000, 20 + power, power);
    const cal = fitMulticlassCalibrator(ref.probs, ref.labels, 3);
    const est = estimateMulticlassAccuracy(cal, cur.probs);
    const realised = accuracy(cur.labels, cur.predicted);
    assert.ok(Math.abs(est - realised) < 0.01, `power ${power}: estimated ${est} vs realised ${realised}`);
    if (power !== 1) {
      let rawSum = 0;
      cur.probs.forEach((p) => (rawSum += Math.max(...p)));
      assert.ok(Math.abs(rawSum / cur.probs.length - realised) > 0.05, 'raw probabilities should mislead');
    }
  }
});

// PCA reconstruction drift against scikit-learn (fixture from test/fixtures/make_pca_fixtures.py),
// the Jacobi eigensolver against numpy, and a synthetic correlation change that per-column
// tests cannot see.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { covariance, symmetricEigen } from '../../src/drift/linalg.js';
import {
  checkReconstruction,
  fitReconstruction,
  reconstructionError,
  type ReconstructionModel,
} from '../../src/drift/multivariate.js';
import { mulberry32, normalSampler } from '../../src/util/random.js';

type Cell = number | null;
interface Case {
  chunk_size: number;
  scaler_mean: number[];
  scaler_scale: number[];
  explained_variance_ratio_all: number[];
  n_components: number;
  reference_row_errors_head: number[];
  reference_chunk_errors: number[];
  lower: number | null;
  upper: number;
  current: Record<string, { error: number }>;
}
interface Fixture {
  data: { reference: Cell[][]; analysis: Cell[][]; shifted: Cell[][] };
  missing_cells: { reference: [number, number][]; analysis: [number, number][] };
  clean: Case;
  missing: Case;
  eigen: { matrix: number[][]; values_desc: number[] };
}

const fx: Fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/pca_fixtures.json', import.meta.url)), 'utf8'),
);
const rows = (cells: Cell[][]): number[][] => cells.map((r) => r.map((x) => (x === null ? NaN : x)));
const withMissing = (data: number[][], cells: [number, number][]): number[][] => {
  const copy = data.map((r) => r.slice());
  for (const [r, c] of cells) copy[r][c] = NaN;
  return copy;
};

function close(actual: number, expected: number, rel: number, what: string): void {
  const scale = Math.max(Math.abs(expected), 1e-12);
  assert.ok(Math.abs(actual - expected) / scale <= rel, `${what}: ${actual} vs ${expected}`);
}

test('Jacobi eigenvalues match numpy.linalg.eigh on a 12×12 symmetric matrix, vectors satisfy Av = λv', () => {
  const { matrix, values_desc } = fx.eigen;
  const eig = symmetricEigen(matrix);
  values_desc.forEach((v, i) => assert.ok(Math.abs(eig.values[i] - v) < 1e-10, `λ${i}: ${eig.values[i]} vs ${v}`));
  eig.vectors.forEach((vec, k) => {
    const norm = Math.hypot(...vec);
    assert.ok(Math.abs(norm - 1) < 1e-12);
    matrix.forEach((row, i) => {
      const av = row.reduce((s, a, j) => s + a * vec[j], 0);
      assert.ok(Math.abs(av - eig.values[k] * vec[i]) < 1e-10);
    });
  });
});

test('covariance uses the n − 1 divisor', () => {
  const c = covariance([
    [1, 2],
    [2, 4],
    [3, 7],
  ]);
  assert.deepEqual(c, [
    [1, 2.5],
    [2.5, 6.333333333333333],
  ]);
});

for (const name of ['clean', 'missing'] as const) {
  test(`${name}: standardisation, explained variance, kept components, errors and thresholds match sklearn`, () => {
    const expected = fx[name];
    let reference = rows(fx.data.reference);
    let analysis = rows(fx.data.analysis);
    if (name === 'missing') {
      reference = withMissing(reference, fx.missing_cells.reference);
      analysis = withMissing(analysis, fx.missing_cells.analysis);
    }
    const model = fitReconstruction(reference, { chunkSize: expected.chunk_size });

    expected.scaler_mean.forEach((m, j) => close(model.means[j], m, 1e-12, `mean ${j}`));
    expected.scaler_scale.forEach((s, j) => close(model.scales[j], s, 1e-12, `scale ${j}`));
    expected.explained_variance_ratio_all.forEach((r, i) =>
      close(model.explainedVarianceRatio[i], r, 1e-9, `explained variance ratio ${i}`),
    );
    assert.equal(model.components.length, expected.n_components);

    expected.reference_row_errors_head.forEach((e, i) =>
      close(reconstructionError(model, [reference[i]]), e, 1e-9, `row ${i} error`),
    );
    assert.equal(model.referenceChunkErrors.length, expected.reference_chunk_errors.length);
    expected.reference_chunk_errors.forEach((e, i) => close(model.referenceChunkErrors[i], e, 1e-9, `chunk ${i}`));
    if (expected.lower === null) assert.equal(model.lower, null);
    else close(model.lower as number, expected.lower, 1e-9, 'lower');
    close(model.upper, expected.upper, 1e-9, 'upper');

    close(reconstructionError(model, analysis), expected.current.analysis.error, 1e-9, 'analysis error');
    assert.equal(checkReconstruction(model, analysis).alert, false);
    if (name === 'clean') {
      const shifted = rows(fx.data.shifted);
      const check = checkReconstruction(model, shifted);
      close(check.error, expected.current.shifted.error, 1e-9, 'shifted error');
      assert.equal(check.alert, true);
    }
  });
}

test('the model survives a JSON round trip unchanged', () => {
  const model = fitReconstruction(rows(fx.data.reference), { chunkSize: 60 });
  const back = JSON.parse(JSON.stringify(model)) as ReconstructionModel;
  assert.deepEqual(back, model);
  const analysis = rows(fx.data.analysis);
  assert.equal(reconstructionError(back, analysis), reconstructionError(model, analysis));
});

// Two features with identical N(0, 1) marginals whose correlation flips from +0.8 to −0.8, and
// a third independent feature. Per-column tests see nothing; reconstruction error must.
function correlated(seed: number, n: number, rho: number): number[][] {
  const gauss = normalSampler(mulberry32(seed));
  return Array.from({ length: n }, () => {
    const a = gauss();
    const b = rho * a + Math.sqrt(1 - rho * rho) * gauss();
    return [a, b, gauss(0, 2) + 5];
  });
}

test('a change in correlation with the same marginals is flagged; reference-like chunks are not', () => {
  const model = fitReconstruction(correlated(1, 5000, 0.8), { chunkSize: 500 });
  assert.equal(model.components.length, 2);
  for (let seed = 2; seed < 12; seed++) {
    const same = checkReconstruction(model, correlated(seed, 500, 0.8));
    assert.equal(same.alert, false, `reference-like chunk (seed ${seed}) alerted: ${same.error} vs [${same.lower}, ${same.upper}]`);
    const flipped = correlated(100 + seed, 500, -0.8);
    const drifted = checkReconstruction(model, flipped);
    assert.equal(drifted.alert, true, `flipped correlation (seed ${seed}) not flagged: ${drifted.error}`);
    assert.ok(drifted.error > 2 * same.error);
    // The marginals really are unchanged: each column's mean and sd stay close to the reference's.
    for (const j of [0, 1]) {
      const col = flipped.map((r) => r[j]);
      const m = col.reduce((s, x) => s + x, 0) / col.length;
      const sd = Math.sqrt(col.reduce((s, x) => s + (x - m) ** 2, 0) / col.length);
      assert.ok(Math.abs(m) < 0.15 && Math.abs(sd - 1) < 0.1, `column ${j}: mean ${m}, sd ${sd}`);
    }
  }
});

test('default chunking splits the reference in 10; bad input is refused', () => {
  const reference = correlated(3, 1000, 0.5);
  const model = fitReconstruction(reference);
  assert.equal(model.chunkSize, 100);
  assert.equal(model.referenceChunkErrors.length, 10);
  assert.throws(() => fitReconstruction(reference.slice(0, 1)), RangeError);
  assert.throws(() => fitReconstruction(reference, { varianceKept: 1.5 }), RangeError);
  assert.throws(() => checkReconstruction(model, [[1, 2]]), RangeError);
  assert.throws(() => checkReconstruction(model, []), RangeError);
  // A constant column is kept at scale 1 instead of dividing by zero.
  const withConstant = reference.map((r) => [...r, 7]);
  const m2 = fitReconstruction(withConstant);
  assert.equal(m2.scales[3], 1);
  assert.ok(Number.isFinite(checkReconstruction(m2, withConstant.slice(0, 100)).error));
});

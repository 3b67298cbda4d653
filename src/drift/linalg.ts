// Small dense linear algebra for the multivariate drift check: a covariance matrix and the
// eigendecomposition of a symmetric matrix by cyclic Jacobi rotations. Jacobi is slow in theory
// (O(d^3) per sweep) but exact to rounding, simple, and fast enough for the ≤ 100 encoded
// features a model here has; it needs no dependency.

/** Sample covariance (divisor n − 1) of the columns of `rows`, each row of length d. */
export function covariance(rows: readonly (readonly number[])[]): number[][] {
  const n = rows.length;
  if (n < 2) throw new RangeError('covariance needs at least two rows');
  const d = rows[0].length;
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const c = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (const r of rows) {
    for (let j = 0; j < d; j++) centred[j] = r[j] - mean[j];
    for (let i = 0; i < d; i++) {
      const ci = centred[i];
      if (ci === 0) continue;
      for (let j = i; j < d; j++) c[i * d + j] += ci * centred[j];
    }
  }
  const out: number[][] = [];
  for (let i = 0; i < d; i++) {
    out.push(new Array<number>(d));
    for (let j = 0; j < d; j++) out[i][j] = (i <= j ? c[i * d + j] : c[j * d + i]) / (n - 1);
  }
  return out;
}

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: number[];
  /** vectors[k] is the unit eigenvector of values[k]. */
  vectors: number[][];
}

/** Eigenvalues and eigenvectors of a symmetric matrix (only the upper triangle is read). */
export function symmetricEigen(matrix: readonly (readonly number[])[], maxSweeps = 100): SymmetricEigen {
  const d = matrix.length;
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    if (matrix[i].length !== d) throw new RangeError('matrix must be square');
    for (let j = i; j < d; j++) {
      a[i * d + j] = matrix[i][j];
      a[j * d + i] = matrix[i][j];
    }
  }
  // v holds the accumulated rotations; its columns become the eigenvectors.
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;

  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < d; i++) {
      diag += a[i * d + i] * a[i * d + i];
      for (let j = i + 1; j < d; j++) off += a[i * d + j] * a[i * d + j];
    }
    if (off <= 1e-30 * diag || off === 0) break;

    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const app = a[p * d + p];
        const aqq = a[q * d + q];
        // Rotation angle that zeroes a[p][q] (Numerical Recipes' stable form).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p];
          const akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k];
          const aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }

  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => a[y * d + y] - a[x * d + x]);
  return {
    values: order.map((i) => a[i * d + i]),
    vectors: order.map((i) => Array.from({ length: d }, (_, k) => v[k * d + i])),
  };
}

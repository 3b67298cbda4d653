/**
 * Increasing isotonic regression, as scikit-learn's IsotonicRegression(increasing=True,
 * out_of_bounds='clip') fits and predicts: rows with equal x are merged into their
 * weighted mean, pool-adjacent-violators solves the weighted problem, and prediction
 * interpolates linearly between the fitted points, clipping x to the fitted range.
 * The fitted model is two plain number arrays so the engine can store it as JSON.
 */

export interface IsotonicModel {
  /** strictly increasing x knots */
  xThresholds: number[];
  /** non-decreasing fitted values at the knots */
  yThresholds: number[];
}

export function fitIsotonic(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  weights?: ArrayLike<number>,
): IsotonicModel {
  if (x.length !== y.length) throw new RangeError(`length mismatch: ${x.length} vs ${y.length}`);
  if (weights && weights.length !== x.length) throw new RangeError('weights length mismatch');
  const idx: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const w = weights ? weights[i] : 1;
    // sklearn drops zero-weight rows before fitting
    if (w > 0 && Number.isFinite(x[i]) && Number.isFinite(y[i])) idx.push(i);
  }
  if (idx.length === 0) throw new RangeError('isotonic regression needs at least one finite row');
  idx.sort((a, b) => x[a] - x[b] || y[a] - y[b]);

  // merge equal x into one weighted point
  const ux: number[] = [];
  const uy: number[] = [];
  const uw: number[] = [];
  for (const i of idx) {
    const w = weights ? weights[i] : 1;
    const last = ux.length - 1;
    if (last >= 0 && ux[last] === x[i]) {
      uy[last] += w * y[i];
      uw[last] += w;
    } else {
      ux.push(x[i]);
      uy.push(w * y[i]);
      uw.push(w);
    }
  }
  for (let k = 0; k < ux.length; k++) uy[k] /= uw[k];

  const fitted = pav(uy, uw);

  // keep only the ends of constant runs: interpolation between them is unchanged
  const xs: number[] = [];
  const ys: number[] = [];
  const m = ux.length;
  for (let k = 0; k < m; k++) {
    if (k === 0 || k === m - 1 || fitted[k] !== fitted[k - 1] || fitted[k] !== fitted[k + 1]) {
      xs.push(ux[k]);
      ys.push(fitted[k]);
    }
  }
  return { xThresholds: xs, yThresholds: ys };
}

/** Weighted pool-adjacent-violators for a non-decreasing fit. O(n). */
export function pav(values: ArrayLike<number>, weights: ArrayLike<number>): number[] {
  const n = values.length;
  const blockValue: number[] = [];
  const blockWeight: number[] = [];
  const blockSize: number[] = [];
  for (let i = 0; i < n; i++) {
    let v = values[i];
    let w = weights[i];
    let size = 1;
    while (blockValue.length > 0 && blockValue[blockValue.length - 1] >= v) {
      const pw = blockWeight.pop()!;
      const pv = blockValue.pop()!;
      size += blockSize.pop()!;
      v = (pv * pw + v * w) / (pw + w);
      w += pw;
    }
    blockValue.push(v);
    blockWeight.push(w);
    blockSize.push(size);
  }
  const out: number[] = new Array(n);
  let pos = 0;
  for (let b = 0; b < blockValue.length; b++) {
    for (let s = 0; s < blockSize[b]; s++) out[pos++] = blockValue[b];
  }
  return out;
}

/** Fitted value at x: linear interpolation between knots, x clipped to the fitted range. */
export function predictIsotonic(model: IsotonicModel, x: number): number {
  const xs = model.xThresholds;
  const ys = model.yThresholds;
  const m = xs.length;
  if (m === 0) return NaN;
  if (Number.isNaN(x)) return NaN;
  if (m === 1 || x <= xs[0]) return ys[0];
  if (x >= xs[m - 1]) return ys[m - 1];
  // last knot with xs[lo] <= x
  let lo = 0;
  let hi = m - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  const t = (x - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + t * (ys[hi] - ys[lo]);
}

export function predictIsotonicMany(model: IsotonicModel, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = predictIsotonic(model, x[i]);
  return out;
}

// ADWIN (Bifet & Gavaldà 2007) as River's AdaptiveWindowing implements it (adwin_c.pyx):
// the window is an exponential histogram, row i holding up to maxBuckets buckets of 2^i
// values each (total and sum of squared deviations per bucket). Every `clock` updates, once
// the window is longer than the grace period, each bucket boundary is tried as a cut between
// an older W0 and a newer W1; when the means differ by more than the Hoeffding-style bound
// epsilon, the oldest bucket is dropped and the check repeats. The order of operations follows
// River's current source (cuts after every bucket of every row), so River's documented and
// regression-tested detection indices are reproduced exactly (test/drift/detectors.test.ts).

import { type DetectorJSON, type DriftDetector, decodeBoolean, decodeNumber } from './detector.js';

export interface AdwinParams {
  delta: number;
  clock: number;
  maxBuckets: number;
  minWindowLength: number;
  gracePeriod: number;
}

export const ADWIN_DEFAULTS: Readonly<AdwinParams> = {
  delta: 0.002,
  clock: 32,
  maxBuckets: 5,
  minWindowLength: 5,
  gracePeriod: 10,
};

/** One row of the histogram: buckets of equal size, oldest first. */
interface Row {
  totals: number[];
  variances: number[];
}

export class Adwin implements DriftDetector {
  readonly kind = 'adwin' as const;
  readonly params: Readonly<AdwinParams>;
  // rows[0] holds single values (newest data); the last row holds the oldest, largest buckets.
  private rows: Row[] = [{ totals: [], variances: [] }];
  private total = 0;
  private varianceSum = 0;
  private widthN = 0;
  private tick = 0;
  private detections = 0;
  private drift = false;

  constructor(params: Partial<AdwinParams> = {}) {
    this.params = { ...ADWIN_DEFAULTS, ...params };
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  get warningDetected(): boolean {
    return false;
  }

  /** Number of values in the current window. */
  get width(): number {
    return this.widthN;
  }

  /** Mean of the current window (0 when empty). */
  get estimation(): number {
    return this.widthN === 0 ? 0 : this.total / this.widthN;
  }

  /** Sum of squared deviations from the window mean (River's `variance`). */
  get variance(): number {
    return this.varianceSum;
  }

  get nDetections(): number {
    return this.detections;
  }

  reset(): void {
    this.rows = [{ totals: [], variances: [] }];
    this.total = 0;
    this.varianceSum = 0;
    this.widthN = 0;
    this.tick = 0;
    this.detections = 0;
    this.drift = false;
  }

  update(x: number): void {
    if (!Number.isFinite(x)) return;
    if (this.drift) this.reset();
    this.insert(x);
    this.drift = this.detectChange();
  }

  private insert(x: number): void {
    this.rows[0].totals.push(x);
    this.rows[0].variances.push(0);
    this.widthN += 1;
    if (this.widthN > 1) {
      const d = x - this.total / (this.widthN - 1);
      this.varianceSum += ((this.widthN - 1) * d * d) / this.widthN;
    }
    this.total += x;
    this.compress();
  }

  private compress(): void {
    const { maxBuckets } = this.params;
    for (let i = 0; i < this.rows.length; i++) {
      const row = this.rows[i];
      if (row.totals.length !== maxBuckets + 1) break;
      if (i + 1 === this.rows.length) this.rows.push({ totals: [], variances: [] });
      const next = this.rows[i + 1];
      const size = 2 ** i;
      const mu1 = row.totals[0] / size;
      const mu2 = row.totals[1] / size;
      const cross = (size * size * (mu1 - mu2) * (mu1 - mu2)) / (size + size);
      next.totals.push(row.totals[0] + row.totals[1]);
      next.variances.push(row.variances[0] + row.variances[1] + cross);
      row.totals.splice(0, 2);
      row.variances.splice(0, 2);
      if (next.totals.length <= maxBuckets) break;
    }
  }

  /** Drops the oldest bucket; returns its size. */
  private deleteOldest(): number {
    const last = this.rows.length - 1;
    const row = this.rows[last];
    const n = 2 ** last;
    const u = row.totals[0];
    const mu = u / n;
    const v = row.variances[0];
    this.widthN -= n;
    this.total -= u;
    const muWindow = this.total / this.widthN;
    this.varianceSum -= v + (n * this.widthN * (mu - muWindow) * (mu - muWindow)) / (n + this.widthN);
    row.totals.shift();
    row.variances.shift();
    if (row.totals.length === 0) this.rows.pop();
    return n;
  }

  private detectChange(): boolean {
    const { clock, gracePeriod, minWindowLength } = this.params;
    let changed = false;
    this.tick += 1;
    if (this.tick % clock !== 0 || this.widthN <= gracePeriod) return false;

    let reduce = true;
    while (reduce) {
      reduce = false;
      let exit = false;
      let n0 = 0;
      let n1 = this.widthN;
      let u0 = 0;
      let u1 = this.total;
      for (let idx = this.rows.length - 1; idx >= 0 && !exit; idx--) {
        const row = this.rows[idx];
        const size = 2 ** idx;
        for (let k = 0; k < row.totals.length; k++) {
          n0 += size;
          n1 -= size;
          u0 += row.totals[k];
          u1 -= row.totals[k];
          if (n1 >= minWindowLength && n0 >= minWindowLength && this.cutHolds(n0, n1, u0 / n0 - u1 / n1)) {
            reduce = true;
            changed = true;
            if (this.widthN > 0) {
              this.deleteOldest();
              exit = true;
              break;
            }
          }
        }
      }
    }
    if (changed) this.detections += 1;
    return changed;
  }

  private cutHolds(n0: number, n1: number, deltaMean: number): boolean {
    const { delta, minWindowLength } = this.params;
    const deltaPrime = Math.log((2 * Math.log(this.widthN)) / delta);
    const mRecip = 1 / (n0 - minWindowLength + 1) + 1 / (n1 - minWindowLength + 1);
    const varianceInWindow = this.varianceSum / this.widthN;
    const epsilon = Math.sqrt(2 * mRecip * varianceInWindow * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
    return Math.abs(deltaMean) > epsilon;
  }

  toJSON(): DetectorJSON {
    return {
      kind: this.kind,
      params: { ...this.params },
      state: {
        rows: this.rows.map((r) => ({ totals: [...r.totals], variances: [...r.variances] })),
        total: this.total,
        variance: this.varianceSum,
        width: this.widthN,
        tick: this.tick,
        detections: this.detections,
        drift: this.drift,
      },
    };
  }

  static fromJSON(json: DetectorJSON): Adwin {
    const a = new Adwin(json.params as Partial<AdwinParams>);
    const s = json.state;
    if (!Array.isArray(s.rows) || s.rows.length === 0) throw new TypeError('ADWIN state needs rows');
    a.rows = s.rows.map((r: unknown) => {
      const row = r as Partial<Row>;
      if (!Array.isArray(row.totals) || !Array.isArray(row.variances) || row.totals.length !== row.variances.length) {
        throw new TypeError('ADWIN row needs totals and variances of equal length');
      }
      return { totals: row.totals.map((x) => decodeNumber(x, NaN)), variances: row.variances.map((x) => decodeNumber(x, NaN)) };
    });
    a.total = decodeNumber(s.total, 0);
    a.varianceSum = decodeNumber(s.variance, 0);
    a.widthN = decodeNumber(s.width, 0);
    a.tick = decodeNumber(s.tick, 0);
    a.detections = decodeNumber(s.detections, 0);
    a.drift = decodeBoolean(s.drift);
    return a;
  }
}

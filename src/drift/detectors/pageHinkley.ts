// Page–Hinkley test as River (river.drift.PageHinkley) defines it: a cumulative sum of
// deviations from the running mean, with a fading factor alpha, tested against the running
// minimum (increase) and maximum (decrease) of that sum. Same defaults, same update order,
// and the same quirks (the decrease maximum starts at -1, state resets on the update after a
// detection), so River's documented detection indices are reproduced exactly.

import { type DetectorJSON, type DriftDetector, decodeBoolean, decodeNumber, encodeNumber } from './detector.js';

export type PageHinkleyMode = 'up' | 'down' | 'both';

export interface PageHinkleyParams {
  minInstances: number;
  delta: number;
  threshold: number;
  alpha: number;
  mode: PageHinkleyMode;
}

export const PAGE_HINKLEY_DEFAULTS: Readonly<PageHinkleyParams> = {
  minInstances: 30,
  delta: 0.005,
  threshold: 50,
  alpha: 1 - 0.0001,
  mode: 'both',
};

export class PageHinkley implements DriftDetector {
  readonly kind = 'page-hinkley' as const;
  readonly params: Readonly<PageHinkleyParams>;
  private n = 0;
  private mean = 0;
  private sumIncrease = 0;
  private sumDecrease = 0;
  private minIncrease = Infinity;
  private maxDecrease = -1;
  private drift = false;

  constructor(params: Partial<PageHinkleyParams> = {}) {
    this.params = { ...PAGE_HINKLEY_DEFAULTS, ...params };
    if (!['up', 'down', 'both'].includes(this.params.mode)) {
      throw new RangeError(`invalid Page–Hinkley mode: ${String(this.params.mode)}`);
    }
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  get warningDetected(): boolean {
    return false;
  }

  /** Samples seen since the last reset. */
  get count(): number {
    return this.n;
  }

  reset(): void {
    this.n = 0;
    this.mean = 0;
    this.sumIncrease = 0;
    this.sumDecrease = 0;
    this.minIncrease = Infinity;
    this.maxDecrease = -1;
    this.drift = false;
  }

  update(x: number): void {
    if (!Number.isFinite(x)) return;
    if (this.drift) this.reset();
    const { alpha, delta, threshold, minInstances, mode } = this.params;

    this.n += 1;
    this.mean += (x - this.mean) / this.n;
    const dev = x - this.mean;

    this.sumIncrease = alpha * this.sumIncrease + dev - delta;
    this.sumDecrease = alpha * this.sumDecrease + dev + delta;
    if (this.sumIncrease < this.minIncrease) this.minIncrease = this.sumIncrease;
    if (this.sumDecrease > this.maxDecrease) this.maxDecrease = this.sumDecrease;

    if (this.n >= minInstances) {
      const up = this.sumIncrease - this.minIncrease > threshold;
      const down = this.maxDecrease - this.sumDecrease > threshold;
      this.drift = mode === 'up' ? up : mode === 'down' ? down : up || down;
    }
  }

  toJSON(): DetectorJSON {
    return {
      kind: this.kind,
      params: { ...this.params },
      state: {
        n: this.n,
        mean: this.mean,
        sumIncrease: this.sumIncrease,
        sumDecrease: this.sumDecrease,
        minIncrease: encodeNumber(this.minIncrease),
        maxDecrease: encodeNumber(this.maxDecrease),
        drift: this.drift,
      },
    };
  }

  static fromJSON(json: DetectorJSON): PageHinkley {
    const ph = new PageHinkley(json.params as Partial<PageHinkleyParams>);
    const s = json.state;
    ph.n = decodeNumber(s.n, 0);
    ph.mean = decodeNumber(s.mean, 0);
    ph.sumIncrease = decodeNumber(s.sumIncrease, 0);
    ph.sumDecrease = decodeNumber(s.sumDecrease, 0);
    ph.minIncrease = decodeNumber(s.minIncrease, Infinity);
    ph.maxDecrease = decodeNumber(s.maxDecrease, -Infinity);
    ph.drift = decodeBoolean(s.drift);
    return ph;
  }
}

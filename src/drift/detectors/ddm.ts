// DDM (Gama et al. 2004) as River's drift.binary.DDM runs it on a 0/1 error stream: track the
// error rate p and its binomial standard deviation s, remember the point where p + s was
// lowest, and warn / alarm when p + s rises 2 / 3 of those minimum deviations above it.

import { type DetectorJSON, type DriftDetector, decodeBoolean, decodeNumber, encodeNumber } from './detector.js';

export interface DdmParams {
  warmStart: number;
  warningThreshold: number;
  driftThreshold: number;
}

export const DDM_DEFAULTS: Readonly<DdmParams> = {
  warmStart: 30,
  warningThreshold: 2,
  driftThreshold: 3,
};

export class Ddm implements DriftDetector {
  readonly kind = 'ddm' as const;
  readonly params: Readonly<DdmParams>;
  private n = 0;
  private p = 0;
  private pMin = Infinity;
  private sMin = Infinity;
  private psMin = Infinity;
  private drift = false;
  private warning = false;

  constructor(params: Partial<DdmParams> = {}) {
    this.params = { ...DDM_DEFAULTS, ...params };
  }

  get driftDetected(): boolean {
    return this.drift;
  }

  get warningDetected(): boolean {
    return this.warning;
  }

  /** Current error-rate estimate since the last reset. */
  get errorRate(): number {
    return this.p;
  }

  reset(): void {
    this.n = 0;
    this.p = 0;
    this.pMin = Infinity;
    this.sMin = Infinity;
    this.psMin = Infinity;
    this.drift = false;
    this.warning = false;
  }

  /** x is an error indicator: 1 (or any truthy number) for a mistake, 0 for a correct prediction. */
  update(x: number): void {
    if (!Number.isFinite(x)) return;
    if (this.drift) this.reset();
    const err = x ? 1 : 0;
    this.n += 1;
    this.p += (err - this.p) / this.n;
    const s = Math.sqrt((this.p * (1 - this.p)) / this.n);

    if (this.n <= this.params.warmStart) return;
    if (this.p + s <= this.psMin) {
      this.pMin = this.p;
      this.sMin = s;
      this.psMin = this.pMin + this.sMin;
    }
    this.warning = this.p + s > this.pMin + this.params.warningThreshold * this.sMin;
    if (this.p + s > this.pMin + this.params.driftThreshold * this.sMin) {
      this.drift = true;
      this.warning = false;
    }
  }

  toJSON(): DetectorJSON {
    return {
      kind: this.kind,
      params: { ...this.params },
      state: {
        n: this.n,
        p: this.p,
        pMin: encodeNumber(this.pMin),
        sMin: encodeNumber(this.sMin),
        psMin: encodeNumber(this.psMin),
        drift: this.drift,
        warning: this.warning,
      },
    };
  }

  static fromJSON(json: DetectorJSON): Ddm {
    const d = new Ddm(json.params as Partial<DdmParams>);
    const s = json.state;
    d.n = decodeNumber(s.n, 0);
    d.p = decodeNumber(s.p, 0);
    d.pMin = decodeNumber(s.pMin, Infinity);
    d.sMin = decodeNumber(s.sMin, Infinity);
    d.psMin = decodeNumber(s.psMin, Infinity);
    d.drift = decodeBoolean(s.drift);
    d.warning = decodeBoolean(s.warning);
    return d;
  }
}

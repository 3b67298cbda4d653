// The contract every streaming drift detector meets, so the engine can feed, persist and
// restore any of them without knowing which one it holds.

export type DetectorKind = 'page-hinkley' | 'adwin' | 'ddm' | 'calibration-cusum';

export interface DriftDetector {
  readonly kind: DetectorKind;
  /**
   * Feed one value: an error indicator (0/1) or any numeric signal. A non-finite value (a
   * missing label or score) is ignored rather than poisoning the running sums forever.
   */
  update(x: number): void;
  /** True on the update that detected drift; the next update starts afresh. */
  readonly driftDetected: boolean;
  readonly warningDetected: boolean;
  reset(): void;
  /** Plain JSON (no Infinity, no NaN) that `restoreDetector` turns back into the same state. */
  toJSON(): DetectorJSON;
}

export interface DetectorJSON {
  kind: DetectorKind;
  params: Record<string, number | string>;
  state: Record<string, unknown>;
}

// JSON has no Infinity: detectors start some minima at ±Infinity, so encode those as null.
export function encodeNumber(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function decodeNumber(x: unknown, whenNull: number): number {
  if (x === null) return whenNull;
  if (typeof x !== 'number' || Number.isNaN(x)) throw new TypeError(`expected a number, got ${String(x)}`);
  return x;
}

export function decodeBoolean(x: unknown): boolean {
  if (typeof x !== 'boolean') throw new TypeError(`expected a boolean, got ${String(x)}`);
  return x;
}

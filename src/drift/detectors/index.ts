// One entry point for the engine: build a detector by kind, and rebuild one from its JSON.

import { Adwin, type AdwinParams } from './adwin.js';
import { Ddm, type DdmParams } from './ddm.js';
import type { DetectorJSON, DetectorKind, DriftDetector } from './detector.js';
import { PageHinkley, type PageHinkleyParams } from './pageHinkley.js';
import { CalibrationCusum, type CalibrationCusumParams } from './calibrationCusum.js';

export type { DetectorJSON, DetectorKind, DriftDetector } from './detector.js';
export { Adwin, ADWIN_DEFAULTS, type AdwinParams } from './adwin.js';
export { Ddm, DDM_DEFAULTS, type DdmParams } from './ddm.js';
export { PageHinkley, PAGE_HINKLEY_DEFAULTS, type PageHinkleyMode, type PageHinkleyParams } from './pageHinkley.js';
export { CalibrationCusum, CALIBRATION_CUSUM_DEFAULTS, type CalibrationCusumParams } from './calibrationCusum.js';

export interface DetectorParamsByKind {
  'page-hinkley': PageHinkleyParams;
  adwin: AdwinParams;
  ddm: DdmParams;
  'calibration-cusum': CalibrationCusumParams;
}

export const DETECTOR_KINDS: readonly DetectorKind[] = ['page-hinkley', 'adwin', 'ddm', 'calibration-cusum'];

export function createDetector<K extends DetectorKind>(kind: K, params?: Partial<DetectorParamsByKind[K]>): DriftDetector {
  switch (kind) {
    case 'page-hinkley':
      return new PageHinkley(params as Partial<PageHinkleyParams>);
    case 'adwin':
      return new Adwin(params as Partial<AdwinParams>);
    case 'ddm':
      return new Ddm(params as Partial<DdmParams>);
    case 'calibration-cusum':
      return new CalibrationCusum(params as Partial<CalibrationCusumParams>);
    default:
      throw new RangeError(`unknown drift detector kind: ${String(kind)}`);
  }
}

/** Rebuilds a detector from `toJSON()` output (or the same object after a JSON round trip). */
export function restoreDetector(json: unknown): DriftDetector {
  if (typeof json !== 'object' || json === null) throw new TypeError('detector state must be an object');
  const j = json as Partial<DetectorJSON>;
  if (typeof j.params !== 'object' || j.params === null || typeof j.state !== 'object' || j.state === null) {
    throw new TypeError('detector state needs params and state objects');
  }
  const full = j as DetectorJSON;
  switch (j.kind) {
    case 'page-hinkley':
      return PageHinkley.fromJSON(full);
    case 'adwin':
      return Adwin.fromJSON(full);
    case 'ddm':
      return Ddm.fromJSON(full);
    case 'calibration-cusum':
      return CalibrationCusum.fromJSON(full);
    default:
      throw new RangeError(`unknown drift detector kind: ${String(j.kind)}`);
  }
}

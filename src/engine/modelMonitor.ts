/**
 * Live figures of one model version: traffic, rolling realised metrics once
 * labels arrive, concept-drift detectors on its error stream, and a CBPE
 * estimate of accuracy that needs no labels.
 *
 * CBPE needs calibrated scores. The artifact holds no labelled scores, so the
 * calibrator is fitted on the first CALIBRATION_ROWS labelled predictions the
 * model serves (a pinned reference window, as NannyML's reference period);
 * until then the raw scores are taken as calibrated.
 */
import { RollingMetrics } from '../compare/metrics.js';
import { calibrateBinary, fitBinaryCalibrator, type BinaryCbpeCalibrator } from '../compare/cbpe.js';
import { createDetector, type DriftDetector, type DetectorKind } from '../drift/detectors/index.js';
import type { ClassSpace } from './classes.js';

export const ROLLING_WINDOW = 2000;
export const CALIBRATION_ROWS = 2000;

export interface DetectorFiring {
  detector: DetectorKind;
  eventTime: number;
}

export class ModelMonitor {
  predictions = 0;
  labelled = 0;
  readonly rolling = new RollingMetrics(ROLLING_WINDOW);
  private readonly detectors: DriftDetector[];
  /** On the calibration residual (label − P(positive)), binary models only. */
  private readonly cusum: DriftDetector;
  private calibrator: BinaryCbpeCalibrator | null = null;
  private readonly calScores: number[] = [];
  private readonly calLabels: number[] = [];
  private readonly estRing = new Float64Array(ROLLING_WINDOW);
  private estSize = 0;
  private estStart = 0;
  private estSum = 0;
  lastEventTime = 0;

  constructor(readonly ref: string, readonly space: ClassSpace) {
    // Only degradation matters on an error stream: Page–Hinkley watches upward changes.
    this.detectors = [
      createDetector('page-hinkley', { mode: 'up' }),
      createDetector('adwin'),
      createDetector('ddm'),
    ];
    this.cusum = createDetector('calibration-cusum');
  }

  /** An unlabelled prediction: traffic and the CBPE estimate. */
  onPrediction(predicted: number, positiveScore: number | null, eventTime: number): void {
    this.predictions++;
    this.lastEventTime = Math.max(this.lastEventTime, eventTime);
    if (!this.space.binary || positiveScore === null || predicted < 0) return;
    const p = this.calibrator ? calibrateBinary(this.calibrator, positiveScore) : positiveScore;
    const probCorrect = predicted === 1 ? p : 1 - p;
    if (this.estSize < ROLLING_WINDOW) {
      this.estRing[(this.estStart + this.estSize) % ROLLING_WINDOW] = probCorrect;
      this.estSize++;
    } else {
      this.estSum -= this.estRing[this.estStart];
      this.estRing[this.estStart] = probCorrect;
      this.estStart = (this.estStart + 1) % ROLLING_WINDOW;
    }
    this.estSum += probCorrect;
  }

  /**
   * A prediction whose label is known. `probTrue` is the probability the model
   * gave the true class. Returns the detectors that fired on this row.
   */
  onLabelled(label: number, predicted: number, positiveScore: number | null, probTrue: number | null, eventTime: number): DetectorFiring[] {
    if (label < 0) return [];
    this.labelled++;
    if (this.space.binary && positiveScore !== null) {
      this.rolling.add(label, positiveScore, predicted);
      if (this.calibrator === null) {
        this.calScores.push(positiveScore);
        this.calLabels.push(label);
        if (this.calScores.length >= CALIBRATION_ROWS) {
          this.calibrator = fitBinaryCalibrator(this.calScores, this.calLabels);
          this.calScores.length = 0;
          this.calLabels.length = 0;
        }
      }
    } else {
      // Multiclass: the window holds (correct?, P(true class)) so accuracy and log loss stay right.
      this.rolling.add(1, probTrue ?? (label === predicted ? 1 : 0), label === predicted ? 1 : 0);
    }
    const error = label === predicted ? 0 : 1;
    const fired: DetectorFiring[] = [];
    for (const d of this.detectors) {
      d.update(error);
      if (d.driftDetected) fired.push({ detector: d.kind, eventTime });
    }
    if (this.space.binary && positiveScore !== null) {
      this.cusum.update(label - positiveScore);
      if (this.cusum.driftDetected) fired.push({ detector: this.cusum.kind, eventTime });
    }
    return fired;
  }

  estimatedAccuracy(): number | null {
    return this.estSize >= 100 ? this.estSum / this.estSize : null;
  }

  metrics(): { accuracy: number | null; logLoss: number | null; auc: number | null } {
    if (this.rolling.count < 30) return { accuracy: null, logLoss: null, auc: null };
    const auc = this.space.binary ? this.rolling.rocAuc() : NaN;
    return {
      accuracy: this.rolling.accuracy(),
      logLoss: this.rolling.logLoss(),
      auc: Number.isFinite(auc) ? auc : null,
    };
  }
}

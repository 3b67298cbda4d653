/**
 * Live figures of one model version: traffic, rolling realised metrics once
 * labels arrive, concept-drift detectors on its error stream, and a CBPE
 * estimate of accuracy that needs no labels.
 *
 * CBPE stands on the model's reference (compare/cbpeReference.ts): the calibrator fitted on its
 * own held-out rows at training, or on a period the operator pinned. Without one there is no
 * estimate: calibrating on the first labelled rows served (what this did before) calibrates on
 * one time of day and was ~11 points off on the flights demo. Estimates are kept per window of
 * event time (the drift window, a day by default) beside the realised accuracy of the same
 * requests once their labels arrive, so the console and `snapshot --json` show both.
 */
import { RollingMetrics } from '../compare/metrics.js';
import { probabilityCorrect, type CbpeReference } from '../compare/cbpeReference.js';
import { EstimateWindows, type WindowEstimate } from '../compare/estimateWindows.js';
import { createDetector, type DriftDetector, type DetectorKind } from '../drift/detectors/index.js';
import type { ClassSpace } from '../core/classes.js';

export const ROLLING_WINDOW = 2000;

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
  private readonly perWindow: EstimateWindows;
  private readonly estRing = new Float64Array(ROLLING_WINDOW);
  private estSize = 0;
  private estStart = 0;
  private estSum = 0;
  lastEventTime = 0;

  constructor(
    readonly ref: string,
    readonly space: ClassSpace,
    private reference: CbpeReference | null = null,
    /** Estimate windows: the drift window's length (ms of event time). */
    readonly windowMs = 86_400_000,
  ) {
    this.perWindow = new EstimateWindows(reference, windowMs);
    // Only degradation matters on an error stream: Page–Hinkley watches upward changes.
    this.detectors = [
      createDetector('page-hinkley', { mode: 'up' }),
      createDetector('adwin'),
      createDetector('ddm'),
    ];
    this.cusum = createDetector('calibration-cusum');
  }

  /**
   * An unlabelled prediction: traffic and the CBPE estimate. `score` is P(positive) of a binary
   * model or the class probabilities of a multiclass one (the model's class order).
   */
  onPrediction(predicted: number, score: number | ArrayLike<number> | null, eventTime: number): void {
    this.predictions++;
    this.lastEventTime = Math.max(this.lastEventTime, eventTime);
    this.perWindow.addPrediction(predicted, score, eventTime);
    if (score === null || predicted < 0 || this.reference === null) return;
    const probCorrect = probabilityCorrect(this.reference, score, predicted);
    if (Number.isNaN(probCorrect)) return;
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
    this.perWindow.addLabelled(label, predicted, eventTime);
    if (this.space.binary && positiveScore !== null) {
      this.rolling.add(label, positiveScore, predicted);
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

  /** The reference in force (pinned or from training); null = no estimate. */
  get cbpeReference(): CbpeReference | null {
    return this.reference;
  }

  /**
   * A reference pinned after the monitor started: estimates from now on use it. Windows already
   * estimated keep their figures (they were computed with what was known then).
   */
  setReference(reference: CbpeReference | null): void {
    this.reference = reference;
    this.perWindow.setReference(reference);
  }

  /** Per window, oldest first, the filling one last. */
  estimates(): WindowEstimate[] {
    return this.perWindow.estimates();
  }

  /** Windows completed since the last call (for the estimated-performance alert). */
  closedWindows(): WindowEstimate[] {
    return this.perWindow.closedWindows();
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

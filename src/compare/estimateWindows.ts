/**
 * CBPE estimate and realised accuracy per window of event time (the drift window, a day by
 * default): the one accumulation the live engine (ModelMonitor) and `compare` (from the store)
 * both run, so the console, `snapshot --json` and `compare --json` show the same figures.
 * A row belongs to the window of its request's time; a label counts in its request's window.
 */
import { estimateBand, probabilityCorrect, type CbpeReference } from './cbpeReference.js';

/** Windows kept: two months of daily windows. */
export const ESTIMATE_WINDOWS = 62;

/** One window's figures; the snapshot's EstimateWindow. */
export interface WindowEstimate {
  start: number;
  end: number;
  rows: number;
  estimated: number | null;
  band: [number, number] | null;
  labelled: number;
  realised: number | null;
  /** Complete (a later window has begun) and estimated below the reference's lower threshold. */
  alert: boolean;
}

interface WindowState {
  key: number;
  rows: number;
  /** Rows with an estimate (binary, scored) and their sum of P(correct). */
  estRows: number;
  estSum: number;
  labelled: number;
  correct: number;
}

export class EstimateWindows {
  private readonly windows = new Map<number, WindowState>();
  /** Highest window key seen: a window below it is complete. */
  private lastKey = -Infinity;
  private readonly justClosed: WindowEstimate[] = [];

  constructor(
    private reference: CbpeReference | null,
    readonly windowMs: number,
    private readonly keep = ESTIMATE_WINDOWS,
  ) {}

  get cbpeReference(): CbpeReference | null {
    return this.reference;
  }

  /** A reference pinned later: windows estimate with it from now on (earlier rows keep theirs). */
  setReference(reference: CbpeReference | null): void {
    this.reference = reference;
  }

  /**
   * A prediction: `score` is P(positive) of a binary model or the class probabilities of a
   * multiclass one (the model's class order), null when not logged; `predicted` its class index.
   */
  addPrediction(predicted: number, score: number | ArrayLike<number> | null, eventTime: number): void {
    const w = this.window(eventTime, true);
    if (!w) return;
    w.rows++;
    if (score === null || predicted < 0 || this.reference === null) return;
    const p = probabilityCorrect(this.reference, score, predicted);
    if (Number.isNaN(p)) return;
    w.estRows++;
    w.estSum += p;
  }

  /** A label of a request made at eventTime (class indices). */
  addLabelled(label: number, predicted: number, eventTime: number): void {
    if (label < 0) return;
    const w = this.window(eventTime, false);
    if (!w) return;
    w.labelled++;
    if (label === predicted) w.correct++;
  }

  /** Oldest first, the filling window last. */
  estimates(): WindowEstimate[] {
    return [...this.windows.values()].sort((a, b) => a.key - b.key).map((w) => this.estimateOf(w, w.key < this.lastKey));
  }

  /** Windows completed since the last call. */
  closedWindows(): WindowEstimate[] {
    return this.justClosed.splice(0);
  }

  /** The window of eventTime; only predictions open one (a label of an unseen or dropped window is ignored). */
  private window(eventTime: number, create: boolean): WindowState | null {
    const key = Math.floor(eventTime / this.windowMs);
    const found = this.windows.get(key);
    if (found) return found;
    if (!create || key <= this.lastKey - this.keep) return null;
    const w: WindowState = { key, rows: 0, estRows: 0, estSum: 0, labelled: 0, correct: 0 };
    this.windows.set(key, w);
    if (key > this.lastKey) {
      for (const old of this.windows.values()) {
        if (old.key < key && old.key >= this.lastKey) this.justClosed.push(this.estimateOf(old, true));
      }
      this.lastKey = key;
    }
    if (this.windows.size > this.keep) this.windows.delete(Math.min(...this.windows.keys()));
    return w;
  }

  private estimateOf(w: WindowState, complete: boolean): WindowEstimate {
    const ref = this.reference;
    const estimated = ref && w.estRows > 0 ? w.estSum / w.estRows : null;
    return {
      start: w.key * this.windowMs,
      end: (w.key + 1) * this.windowMs,
      rows: w.rows,
      estimated,
      band: ref && estimated !== null ? estimateBand(ref, estimated, w.estRows) : null,
      labelled: w.labelled,
      realised: w.labelled > 0 ? w.correct / w.labelled : null,
      alert: complete && ref !== null && estimated !== null && estimated < ref.threshold.lower,
    };
  }
}

/**
 * The console's per-host filter (issue 17): one serving host's figures, without touching the
 * fleet's.
 *
 * Why not an engine filtered to the host: the engine writes what it computes — closed drift
 * windows into `drift_windows`, alerts and episodes, the pairs the gate reads — and a filtered
 * one would write one replica's windows where the fleet's belong. So a host's figures are
 * computed here, read-only and in memory: a second pass over the same rows the engine reads
 * (the same look-back), filtered by the prediction's host in SQL, into this object's own
 * ModelMonitors and DriftMonitor. The DriftMonitor's closed windows stay in it (its onClose
 * keeps nothing), no alert is raised, nothing is written; dropping the filter drops the
 * object. The statistics are the engine's own code on the same reference bins of the active
 * model, so a host's drift reads like the fleet's and can be compared with it. (Had the store
 * been shared, the same figures merge: counts and reference-bin histograms add up across hosts.)
 *
 * What stays fleet-wide, and the screens say so: shadow pairs and the gate (promotion judges
 * the model, not a replica), the registry, jobs, alerts, the audit trail, data quality.
 */
import type { Db } from '../../store/db.js';
import { AnalyticsReader, type LabelFact, type PredictionFact } from '../../store/analyticsQueries.js';
import { classKeyOfText, labelledOutcome } from '../core/classes.js';
import { LOCAL_HOST } from '../fleet/hostDrift.js';
import { DriftMonitor, type DriftReference, type DriftSettings } from './driftMonitor.js';
import type { ModelMonitor } from './modelMonitor.js';

export interface HostLensOptions {
  /** The host's name as listed; LOCAL_HOST for rows read from local files. */
  host: string;
  activeRef: string | null;
  /** The active model's drift reference and the engine's settings (null: no drift figures). */
  drift: { reference: DriftReference; settings: DriftSettings } | null;
  /** A fresh monitor for a model version, as the engine makes them (class space, CBPE reference). */
  newMonitor: (ref: string) => ModelMonitor;
  /** Where the engine's own pass began: the lens reads the same rows back. */
  from: { predictions: number; labels: number };
}

export class HostLens {
  readonly host: string;
  readonly activeRef: string | null;
  readonly monitors = new Map<string, ModelMonitor>();
  readonly drift: DriftMonitor | null;
  private readonly reader: AnalyticsReader;
  private predCursor: number;
  private labelCursor: number;
  private done = false;

  constructor(db: Db, private readonly opts: HostLensOptions) {
    this.host = opts.host;
    this.activeRef = opts.activeRef;
    this.reader = new AnalyticsReader(db, { host: opts.host === LOCAL_HOST ? null : opts.host });
    this.predCursor = opts.from.predictions;
    this.labelCursor = opts.from.labels;
    // A host's windows are kept in this object only: never saved, never alerted on.
    this.drift = opts.drift && opts.activeRef ? new DriftMonitor(opts.activeRef, opts.drift.reference, opts.drift.settings, () => undefined) : null;
  }

  /** Whether the pass has read every row up to the engine's latest ids. */
  get caughtUp(): boolean {
    return this.done;
  }

  /** One bounded unit of work up to `max` (the store's highest ids); true when caught up. */
  step(max: { predictions: number; labels: number }, stepRows: number): boolean {
    const upP = Math.min(max.predictions, this.predCursor + stepRows);
    if (upP > this.predCursor) {
      this.predictions(this.reader.predictionsBetween(this.predCursor, upP, this.labelCursor));
      this.predCursor = upP;
    }
    const upL = Math.min(max.labels, this.labelCursor + stepRows);
    if (upL > this.labelCursor) {
      this.labels(this.reader.labelsBetween(this.labelCursor, upL, this.predCursor));
      this.labelCursor = upL;
    }
    this.done = upP === max.predictions && upL === max.labels;
    return this.done;
  }

  private monitor(ref: string): ModelMonitor {
    let m = this.monitors.get(ref);
    if (!m) this.monitors.set(ref, m = this.opts.newMonitor(ref));
    return m;
  }

  // The same steps as the engine's handlePredictions/handleLabels, minus what writes or
  // alerts (windows, alerts, episodes) and minus the pairs (fleet-wide by design).
  private predictions(facts: PredictionFact[]): void {
    for (const f of facts) {
      const ref = `${f.model}@${f.version}`;
      const mon = this.monitor(ref);
      const predicted = mon.space.indexOfText(f.prediction);
      const pos = mon.space.binary ? f.score : null;
      mon.onPrediction(predicted, pos, f.ts);
      if (ref === this.activeRef && this.drift) {
        let features: Record<string, unknown> = {};
        try { features = JSON.parse(f.features) as Record<string, unknown>; } catch { /* validated at ingest */ }
        this.drift.addFeatures(f.ts, features);
      }
      if (this.drift && pos !== null) this.drift.addScore(ref, f.ts, pos);
      if (f.label !== null && f.labelTs !== null) {
        const o = labelledOutcome(mon.space, { ...f, label: f.label });
        mon.onLabelled(o.label, o.predicted, o.pos, o.probTrue, f.ts);
        if (ref === this.activeRef) this.labelDrift(f.ts, f.label);
      }
    }
  }

  private labels(facts: LabelFact[]): void {
    for (const f of facts) {
      const ref = `${f.model}@${f.version}`;
      const mon = this.monitor(ref);
      const o = labelledOutcome(mon.space, f);
      mon.onLabelled(o.label, o.predicted, o.pos, o.probTrue, f.ts);
      if (ref === this.activeRef) this.labelDrift(f.ts, f.label);
    }
  }

  private labelDrift(requestTs: number, labelJson: string): void {
    const key = classKeyOfText(labelJson);
    if (this.drift && key !== null) this.drift.addLabel(requestTs, key.key);
  }
}

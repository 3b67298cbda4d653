/**
 * Live data, label and prediction drift in tumbling windows of event time
 * (one day by default, configurable).
 *
 * Features of the active model's predictions go into a DatasetAccumulator
 * binned on the model's reference profile, so closing or refreshing a window
 * costs the same whatever the history. Closed windows are stored, so a
 * restart shows their history.
 *
 * Calendar features (day of week, month, and any listed in the config): a
 * daily window holds a single weekday, so against the whole reference it looks
 * maximally drifted. They are compared with the same period of the reference:
 * the reference is restricted to the categories the window covers and
 * renormalised. A shifted distribution within those periods still shows.
 *
 * Labels: the window's class shares against the training data's class counts.
 * Scores: each model's score distribution against its own first closed window
 * (a pinned reference: the artifact holds no training-time scores).
 */
import { CategoricalAccumulator, DatasetAccumulator, NumericAccumulator } from '../drift/accumulators.js';
import { compareColumn, type ColumnDriftResult, type CompareOptions } from '../drift/columnDrift.js';
import { datasetDrift } from '../drift/datasetDrift.js';
import type { CategoricalProfile, ColumnProfile, DatasetProfile, FeatureSchema, NumericProfile } from '../drift/profile.js';
import type { FeatureDriftRow, Histogram, Level } from './snapshot.js';

export const DEFAULT_CALENDAR = ['dow', 'weekday', 'day_of_week', 'dayofweek', 'month'];
const HISTORY = 30;

export interface DriftSettings {
  windowMs: number;
  datasetShare: number;
  perFeature: Record<string, CompareOptions>;
  calendar: string[];
}

export interface ClosedWindow {
  start: number;
  end: number;
  rows: number;
  datasetDrifted: boolean;
  share: number;
  results: ColumnDriftResult[];
  driftedColumns: string[];
}

interface Window<T> {
  key: number;
  acc: T;
}

export class DriftMonitor {
  /** Open feature windows by key; a window closes once event time passes its end plus a grace period. */
  private readonly open = new Map<number, DatasetAccumulator>();
  private readonly template: DatasetAccumulator;
  private maxTs = -Infinity;
  /** Rows that arrived after their window had closed: counted, not silently mixed into another window. */
  lateRows = 0;
  private labels: Window<CategoricalAccumulator> | null = null;
  private readonly scores = new Map<string, Window<NumericAccumulator>>();
  private readonly scoreReference = new Map<string, NumericProfile>();
  private readonly history = new Map<string, number[]>();
  private readonly labelReference: CategoricalProfile;
  private readonly calendar: Set<string>;
  private lastClosed: ClosedWindow | null = null;
  private lastComputed: { at: number; rows: FeatureDriftRow[]; status: { rows: number; drifted: boolean; share: number } } | null = null;

  constructor(
    readonly model: string,
    private readonly schema: FeatureSchema,
    private readonly reference: DatasetProfile,
    readonly labelName: string,
    classCounts: Record<string, number>,
    private readonly settings: DriftSettings,
    private readonly onClose: (w: ClosedWindow) => void,
  ) {
    const count = Object.values(classCounts).reduce((s, c) => s + c, 0);
    this.labelReference = { kind: 'categorical', count, missing: 0, counts: { ...classCounts } };
    this.calendar = new Set([...DEFAULT_CALENDAR, ...settings.calendar]);
    this.template = new DatasetAccumulator(schema, reference);
  }

  private get graceMs(): number {
    return this.settings.windowMs / 10;
  }

  private key(ts: number): number {
    return Math.floor(ts / this.settings.windowMs);
  }

  /** Seeds the sparkline history from stored windows (restart). */
  seedHistory(windows: Array<{ results: ColumnDriftResult[] }>): void {
    for (const w of windows) for (const r of w.results) this.pushHistory(r.feature, r.statistic);
  }

  private pushHistory(name: string, v: number): void {
    const h = this.history.get(name) ?? [];
    h.push(Number.isFinite(v) ? v : 0);
    if (h.length > HISTORY) h.shift();
    this.history.set(name, h);
  }

  addFeatures(ts: number, features: Record<string, unknown>): void {
    const W = this.settings.windowMs;
    if (ts > this.maxTs) {
      this.maxTs = ts;
      const due = [...this.open.keys()].filter((k) => (k + 1) * W + this.graceMs <= ts).sort((a, b) => a - b);
      for (const k of due) {
        this.closeWindow(k, this.open.get(k)!);
        this.open.delete(k);
      }
    }
    const k = this.key(ts);
    if ((k + 1) * W + this.graceMs <= this.maxTs) {
      this.lateRows++;
      return;
    }
    let acc = this.open.get(k);
    if (!acc) {
      acc = this.template.empty();
      this.open.set(k, acc);
    }
    acc.add(features);
  }

  /** The newest open window: what the Drift screen shows as "current". */
  private get features(): Window<DatasetAccumulator> | null {
    let best: number | null = null;
    for (const k of this.open.keys()) if (best === null || k > best) best = k;
    return best === null ? null : { key: best, acc: this.open.get(best)! };
  }

  /** Adds a label; returns the label drift of the window it closed, if it closed one. */
  addLabel(ts: number, label: string): { start: number; result: ColumnDriftResult } | null {
    const k = this.key(ts);
    let closed: { start: number; result: ColumnDriftResult } | null = null;
    if (this.labels === null || k > this.labels.key) {
      if (this.labels !== null) {
        const r = this.compareLabels(this.labels.acc);
        if (r) {
          this.pushHistory(r.feature, r.statistic);
          closed = { start: this.labels.key * this.settings.windowMs, result: r };
        }
      }
      this.labels = { key: k, acc: new CategoricalAccumulator() };
    }
    this.labels.acc.add(label);
    return closed;
  }

  addScore(model: string, ts: number, score: number): void {
    const k = this.key(ts);
    let w = this.scores.get(model);
    if (w === undefined) {
      w = { key: k, acc: new NumericAccumulator([]) };
      this.scores.set(model, w);
    } else if (k > w.key) {
      const profile = w.acc.toProfile();
      const ref = this.scoreReference.get(model);
      if (ref === undefined) this.scoreReference.set(model, profile);
      else this.pushHistory(`score:${model}`, compareColumn(`score:${model}`, ref, profile).statistic);
      w.key = k;
      w.acc = new NumericAccumulator(this.scoreReference.get(model)?.binEdges ?? []);
    }
    w.acc.add(score);
  }

  private adjusted(name: string, ref: ColumnProfile, cur: ColumnProfile): ColumnProfile {
    if (!this.calendar.has(name) || ref.kind !== 'categorical' || cur.kind !== 'categorical') return ref;
    const counts: Record<string, number> = {};
    let count = 0;
    for (const k of Object.keys(cur.counts)) {
      const c = ref.counts[k] ?? 0;
      if (c > 0) { counts[k] = c; count += c; }
    }
    return count > 0 ? { ...ref, counts, count } : ref;
  }

  private compareFeatures(cur: DatasetProfile): ColumnDriftResult[] {
    const names = Object.keys(this.schema).filter((n) => this.reference.columns[n] && cur.columns[n]);
    return names.map((n) => {
      const ref = this.adjusted(n, this.reference.columns[n], cur.columns[n]);
      const own = this.settings.perFeature[n] ?? {};
      return compareColumn(n, ref, cur.columns[n], own);
    });
  }

  private compareLabels(acc: CategoricalAccumulator): ColumnDriftResult | null {
    if (acc.count === 0 || this.labelReference.count === 0) return null;
    return compareColumn(`label:${this.labelName}`, this.labelReference, acc.toProfile(), this.settings.perFeature[this.labelName] ?? {});
  }

  private closeWindow(key: number, acc: DatasetAccumulator): void {
    if (acc.rows === 0) return;
    const results = this.compareFeatures(acc.toProfile());
    for (const r of results) this.pushHistory(r.feature, r.statistic);
    const verdict = datasetDrift(results, this.settings.datasetShare);
    const w: ClosedWindow = {
      start: key * this.settings.windowMs,
      end: (key + 1) * this.settings.windowMs,
      rows: acc.rows,
      datasetDrifted: verdict.drifted,
      share: verdict.share,
      results,
      driftedColumns: verdict.driftedColumns,
    };
    this.lastClosed = w;
    this.lastComputed = null;
    this.onClose(w);
  }

  /** Label drift of the window that just ended, for alerts (null when none). */
  currentLabelDrift(): ColumnDriftResult | null {
    return this.labels ? this.compareLabels(this.labels.acc) : null;
  }

  get currentWindowStart(): number | null {
    return this.features ? this.features.key * this.settings.windowMs : null;
  }

  /** Drift of the window in progress; recomputed at most once a second. */
  rows(now = Date.now()): { rows: FeatureDriftRow[]; status: { rows: number; drifted: boolean; share: number } } {
    if (this.lastComputed && now - this.lastComputed.at < 1000) return this.lastComputed;
    const out: FeatureDriftRow[] = [];
    let status = { rows: 0, drifted: false, share: 0 };
    if (this.features && this.features.acc.rows > 0) {
      const cur = this.features.acc.toProfile();
      const results = this.compareFeatures(cur);
      const v = datasetDrift(results, this.settings.datasetShare);
      status = { rows: this.features.acc.rows, drifted: v.drifted, share: v.share };
      for (const r of results) {
        const ref = this.adjusted(r.feature, this.reference.columns[r.feature], cur.columns[r.feature]);
        out.push(this.row(r, ref, cur.columns[r.feature], this.calendar.has(r.feature) && ref.kind === 'categorical' ? 'calendar feature: compared with the same periods of the reference' : null));
      }
    }
    if (this.labels) {
      const r = this.compareLabels(this.labels.acc);
      if (r) out.push(this.row(r, this.labelReference, this.labels.acc.toProfile(), 'label drift: class shares against the training data'));
    }
    for (const [model, w] of this.scores) {
      const ref = this.scoreReference.get(model);
      if (!ref || w.acc.count === 0) continue;
      const cur = w.acc.toProfile();
      const r = compareColumn(`score:${model}`, ref, cur);
      out.push({ ...this.row(r, ref, cur, 'prediction drift: against this model\'s first window'), kind: 'score' });
    }
    this.lastComputed = { at: now, rows: out, status };
    return this.lastComputed;
  }

  get closed(): ClosedWindow | null {
    return this.lastClosed;
  }

  private row(r: ColumnDriftResult, ref: ColumnProfile, cur: ColumnProfile, note: string | null): FeatureDriftRow {
    const missing = r.missingRate.current;
    return {
      name: r.feature,
      kind: r.kind === 'categorical' && Object.keys((ref as CategoricalProfile).counts ?? {}).length === 2 ? 'binary' : r.kind,
      method: r.method,
      statistic: Number.isFinite(r.statistic) ? r.statistic : 0,
      pValue: r.pValue,
      threshold: r.threshold,
      level: r.level as Level,
      missingRate: Number.isFinite(missing) ? missing : null,
      history: [...(this.history.get(r.feature) ?? []), Number.isFinite(r.statistic) ? r.statistic : 0],
      histogram: histogram(ref, cur),
      note,
    };
  }
}

function shares(xs: number[]): number[] {
  const t = xs.reduce((s, x) => s + x, 0);
  return xs.map((x) => (t > 0 ? x / t : 0));
}

export function histogram(ref: ColumnProfile, cur: ColumnProfile, maxBars = 10): Histogram {
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    const e = ref.binEdges;
    const labels = ref.binCounts.map((_, i) => (i === 0 ? `<${fmt(e[1] ?? e[0])}` : i === ref.binCounts.length - 1 ? `>=${fmt(e[i])}` : `${fmt(e[i])}-${fmt(e[i + 1])}`));
    const curCounts = cur.binCounts.length === ref.binCounts.length ? cur.binCounts : ref.binCounts.map(() => 0);
    return { labels, reference: shares(ref.binCounts), current: shares(curCounts) };
  }
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    const keys = [...new Set([...Object.keys(ref.counts), ...Object.keys(cur.counts)])];
    const rs = (k: string): number => (ref.count > 0 ? (ref.counts[k] ?? 0) / ref.count : 0);
    const cs = (k: string): number => (cur.count > 0 ? (cur.counts[k] ?? 0) / cur.count : 0);
    keys.sort((a, b) => Math.max(rs(b), cs(b)) - Math.max(rs(a), cs(a)));
    const top = keys.slice(0, maxBars - 1);
    const rest = keys.slice(maxBars - 1);
    const labels = [...top, ...(rest.length > 0 ? ['(other)'] : [])];
    const reference = [...top.map(rs), ...(rest.length > 0 ? [rest.reduce((s, k) => s + rs(k), 0)] : [])];
    const current = [...top.map(cs), ...(rest.length > 0 ? [rest.reduce((s, k) => s + cs(k), 0)] : [])];
    return { labels, reference, current };
  }
  return { labels: [], reference: [], current: [] };
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '?';
  return Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString();
}


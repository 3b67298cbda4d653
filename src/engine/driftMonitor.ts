/**
 * Live data, label and prediction drift in tumbling windows of event time
 * (one day by default, configurable).
 *
 * Features of the active model's predictions go into a DatasetAccumulator
 * binned on the model's reference profile, so closing a window costs the same
 * whatever the history. A window closes once event time has passed its end
 * plus a grace period (a tenth of the window), so rows that arrive a little
 * out of order still count where they belong; later ones are counted as late.
 * Closed windows are stored, so a restart shows their history. The screen
 * shows the last complete window: a half-filled day holds only some hours and
 * would look drifted on hour of day by construction.
 *
 * Periods: a daily window holds one weekday. When the model was trained with
 * a time column its artifact has per-weekday profiles, and a window of a day
 * or less is compared with the same weekday of the reference. Calendar
 * features (day of week, month, any listed in the config) are in addition
 * compared only over the categories the window covers.
 *
 * Labels: the window's class shares against the training data's class counts.
 * Scores: each model's score distribution against its scores on its own
 * training rows (same weekday when available).
 */
import { formatDay } from '../core/time.js';
import { CategoricalAccumulator, DatasetAccumulator, NumericAccumulator } from '../drift/accumulators.js';
import { compareColumn, type ColumnDriftResult, type CompareOptions } from '../drift/columnDrift.js';
import { countOf } from '../drift/categories.js';
import { datasetDrift } from '../drift/datasetDrift.js';
import type { CategoricalProfile, ColumnProfile, DatasetProfile, FeatureSchema, NumericProfile } from '../drift/profile.js';
import type { PeriodProfiles } from '../models/periodProfiles.js';
import { checkReconstruction, type ReconstructionCheck, type ReconstructionModel } from '../drift/multivariate.js';
import { mulberry32 } from '../util/random.js';
import type { FeatureDriftRow, Histogram, Level } from './snapshot.js';

export const DEFAULT_CALENDAR = ['dow', 'weekday', 'day_of_week', 'dayofweek', 'month'];
const HISTORY = 30;
const DAY_MS = 86_400_000;
/** A weekday profile with fewer fitted rows than this is too thin to compare with. */
const MIN_PERIOD_ROWS = 500;

export interface DriftSettings {
  windowMs: number;
  datasetShare: number;
  perFeature: Record<string, CompareOptions>;
  calendar: string[];
}

export interface DriftReference {
  schema: FeatureSchema;
  profile: DatasetProfile;
  label: string;
  classCounts: Record<string, number>;
  periods?: PeriodProfiles;
  /** the active model's scores on its training rows */
  scores?: NumericProfile;
  /** multivariate drift: PCA fitted on the encoded training sample, and the encoder */
  multivariate?: { model: ReconstructionModel; encode: (rows: Record<string, unknown>[]) => number[][] };
}

export interface ClosedWindow {
  start: number;
  end: number;
  rows: number;
  datasetDrifted: boolean;
  share: number;
  results: ColumnDriftResult[];
  driftedColumns: string[];
  /** PCA reconstruction error of the window's sample against the reference band, when fitted */
  multivariate: ReconstructionCheck | null;
}

interface LastWindow {
  start: number;
  rows: number;
  drifted: boolean;
  share: number;
  features: FeatureDriftRow[];
}

export class DriftMonitor {
  private readonly open = new Map<number, DatasetAccumulator>();
  /** Per open window, a bounded sample of raw rows for the multivariate check. */
  private readonly samples = new Map<number, { seen: number; rows: Record<string, unknown>[] }>();
  private readonly rand = mulberry32(20010301);
  private readonly template: DatasetAccumulator;
  private maxTs = -Infinity;
  /** The earliest time an open window becomes due to close. */
  private nextDue = Infinity;
  /** Rows that arrived after their window had closed: counted, not mixed into another window. */
  lateRows = 0;
  private labels: { key: number; acc: CategoricalAccumulator } | null = null;
  private readonly scores = new Map<string, { key: number; acc: NumericAccumulator }>();
  private readonly history = new Map<string, number[]>();
  private readonly labelReference: CategoricalProfile;
  private readonly calendar: Set<string>;
  private last: LastWindow | null = null;
  private lastLabel: FeatureDriftRow | null = null;
  private readonly lastScores = new Map<string, FeatureDriftRow>();

  constructor(
    readonly model: string,
    private readonly ref: DriftReference,
    private readonly settings: DriftSettings,
    private readonly onClose: (w: ClosedWindow) => void,
  ) {
    const count = Object.values(ref.classCounts).reduce((s, c) => s + c, 0);
    this.labelReference = { kind: 'categorical', count, missing: 0, counts: { ...ref.classCounts } };
    this.calendar = new Set([...DEFAULT_CALENDAR, ...settings.calendar]);
    this.template = new DatasetAccumulator(ref.schema, ref.profile);
  }

  private key(ts: number): number {
    return Math.floor(ts / this.settings.windowMs);
  }

  private get graceMs(): number {
    return this.settings.windowMs / 10;
  }

  /** The weekday a window of at most a day falls on, when per-weekday references exist. */
  private weekday(key: number): string | null {
    if (!this.ref.periods || this.settings.windowMs > DAY_MS) return null;
    return String(new Date(key * this.settings.windowMs).getUTCDay());
  }

  private featureReference(key: number): { profile: DatasetProfile; period: boolean } {
    const d = this.weekday(key);
    const p = d === null ? undefined : this.ref.periods?.features[d];
    return p && p.rows >= MIN_PERIOD_ROWS ? { profile: p, period: true } : { profile: this.ref.profile, period: false };
  }

  private scoreReference(key: number): NumericProfile | undefined {
    const d = this.weekday(key);
    const p = d === null ? undefined : this.ref.periods?.scores[d];
    return p && p.count >= MIN_PERIOD_ROWS ? p : this.ref.scores;
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
      // Most rows close nothing: look at the open windows only once the earliest may be due.
      if (ts >= this.nextDue) {
        const due = [...this.open.keys()].filter((k) => (k + 1) * W + this.graceMs <= ts).sort((a, b) => a - b);
        for (const k of due) {
          this.closeWindow(k, this.open.get(k)!);
          this.open.delete(k);
        }
        this.nextDue = Math.min(Infinity, ...[...this.open.keys()].map((k) => (k + 1) * W + this.graceMs));
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
      this.nextDue = Math.min(this.nextDue, (k + 1) * W + this.graceMs);
    }
    acc.add(features);
    if (this.ref.multivariate) this.sample(k, features);
  }

  /** Reservoir sampling (Algorithm R), so the sample is uniform over the window. */
  private sample(k: number, features: Record<string, unknown>): void {
    let s = this.samples.get(k);
    if (!s) {
      s = { seen: 0, rows: [] };
      this.samples.set(k, s);
    }
    s.seen++;
    if (s.rows.length < MULTIVARIATE_SAMPLE) s.rows.push(features);
    else {
      const j = Math.floor(this.rand() * s.seen);
      if (j < MULTIVARIATE_SAMPLE) s.rows[j] = features;
    }
  }

  /** Adds a label; returns the label drift of the window it closed, if it closed one. */
  addLabel(ts: number, label: string): { start: number; result: ColumnDriftResult } | null {
    const k = this.key(ts);
    let closed: { start: number; result: ColumnDriftResult } | null = null;
    if (this.labels === null || k > this.labels.key) {
      if (this.labels !== null && this.labels.acc.count > 0 && this.labelReference.count > 0) {
        const cur = this.labels.acc.toProfile();
        const r = compareColumn(`label:${this.ref.label}`, this.labelReference, cur, this.settings.perFeature[this.ref.label] ?? {});
        this.pushHistory(r.feature, r.statistic);
        this.lastLabel = this.row(r, this.labelReference, cur, `label drift on ${day(this.labels.key * this.settings.windowMs)}: class shares against the training data`);
        closed = { start: this.labels.key * this.settings.windowMs, result: r };
      }
      this.labels = { key: k, acc: new CategoricalAccumulator() };
    }
    this.labels.acc.add(label);
    return closed;
  }

  addScore(model: string, ts: number, score: number): void {
    const k = this.key(ts);
    let w = this.scores.get(model);
    if (w === undefined || k > w.key) {
      if (w !== undefined && w.acc.count > 0) {
        const ref = this.scoreReference(w.key);
        const cur = w.acc.toProfile();
        if (ref) {
          const r = compareColumn(`score:${model}`, ref, cur);
          this.pushHistory(r.feature, r.statistic);
          this.lastScores.set(model, { ...this.row(r, ref, cur, `prediction drift on ${day(w.key * this.settings.windowMs)}: against the model's scores on its training rows`), kind: 'score' });
        }
      }
      w = { key: k, acc: new NumericAccumulator(this.scoreReference(k)?.binEdges ?? []) };
      this.scores.set(model, w);
    }
    w.acc.add(score);
  }

  private adjusted(name: string, ref: ColumnProfile, cur: ColumnProfile): ColumnProfile {
    if (!this.calendar.has(name) || ref.kind !== 'categorical' || cur.kind !== 'categorical') return ref;
    const kept: Array<[string, number]> = [];
    let count = 0;
    for (const k of Object.keys(cur.counts)) {
      const c = countOf(ref.counts, k);
      if (c > 0) { kept.push([k, c]); count += c; }
    }
    return count > 0 ? { ...ref, counts: Object.fromEntries(kept), count } : ref;
  }

  private closeWindow(key: number, acc: DatasetAccumulator): void {
    if (acc.rows === 0) return;
    const cur = acc.toProfile();
    const { profile: reference, period } = this.featureReference(key);
    const start = key * this.settings.windowMs;
    const results: ColumnDriftResult[] = [];
    const rows: FeatureDriftRow[] = [];
    for (const n of Object.keys(this.ref.schema)) {
      if (!reference.columns[n] || !cur.columns[n]) continue;
      const ref = this.adjusted(n, reference.columns[n], cur.columns[n]);
      const r = compareColumn(n, ref, cur.columns[n], this.settings.perFeature[n] ?? {});
      results.push(r);
      this.pushHistory(n, r.statistic);
      const notes = [period ? `compared with ${WEEKDAYS[new Date(start).getUTCDay()]}s of the reference` : null,
        this.calendar.has(n) && ref.kind === 'categorical' ? 'calendar feature: only the periods the window covers' : null].filter(Boolean);
      rows.push(this.row(r, ref, cur.columns[n], notes.length > 0 ? notes.join('; ') : null));
    }
    const verdict = datasetDrift(results, this.settings.datasetShare);
    let multivariate: ReconstructionCheck | null = null;
    const sample = this.samples.get(key);
    this.samples.delete(key);
    const mv = this.ref.multivariate;
    if (mv && sample && sample.rows.length >= 100) {
      multivariate = checkReconstruction(mv.model, mv.encode(sample.rows));
      this.pushHistory(MULTIVARIATE, multivariate.error);
      rows.push({
        name: MULTIVARIATE, kind: 'numeric', method: 'pca-reconstruction', statistic: multivariate.error, pValue: null,
        threshold: multivariate.upper, level: multivariate.alert ? 'drift' : 'ok', missingRate: null,
        history: [...(this.history.get(MULTIVARIATE) ?? [])], histogram: { labels: [], reference: [], current: [] },
        note: `mean reconstruction error of ${sample.rows.length} sampled rows; reference band ${(mv.model.lower ?? 0).toFixed(3)}–${mv.model.upper.toFixed(3)} (mean ± 3 sd of the training chunks)`,
      });
    }
    this.last = { start, rows: acc.rows, drifted: verdict.drifted, share: verdict.share, features: rows };
    this.onClose({
      start, end: start + this.settings.windowMs, rows: acc.rows, datasetDrifted: verdict.drifted, share: verdict.share,
      results, driftedColumns: verdict.driftedColumns, multivariate,
    });
  }

  /** The newest open window's start and size (the one still filling). */
  get filling(): { start: number; rows: number } | null {
    let best: number | null = null;
    for (const k of this.open.keys()) if (best === null || k > best) best = k;
    return best === null ? null : { start: best * this.settings.windowMs, rows: this.open.get(best)!.rows };
  }

  /** The last complete window's rows for the Drift screen, then label and prediction drift. */
  view(): { window: LastWindow | null; rows: FeatureDriftRow[] } {
    const rows = [...(this.last?.features ?? []), ...(this.lastLabel ? [this.lastLabel] : []), ...this.lastScores.values()];
    return { window: this.last, rows };
  }

  private row(r: ColumnDriftResult, ref: ColumnProfile, cur: ColumnProfile, note: string | null): FeatureDriftRow {
    const missing = r.missingRate.current;
    const isBinary = ref.kind === 'categorical' && Object.keys(ref.counts).length === 2;
    return {
      name: r.feature,
      kind: isBinary ? 'binary' : r.kind,
      method: r.method,
      statistic: Number.isFinite(r.statistic) ? r.statistic : 0,
      pValue: r.pValue,
      threshold: r.threshold,
      level: r.level as Level,
      missingRate: Number.isFinite(missing) ? missing : null,
      history: [...(this.history.get(r.feature) ?? [])],
      histogram: histogram(ref, cur),
      note,
      psi: Number.isFinite(r.psi) ? r.psi : 0,
    };
  }
}

export const MULTIVARIATE = 'multivariate (PCA)';
const MULTIVARIATE_SAMPLE = 500;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function day(ms: number): string {
  return formatDay(ms);
}

function shares(xs: number[]): number[] {
  const t = xs.reduce((s, x) => s + x, 0);
  return xs.map((x) => (t > 0 ? x / t : 0));
}

export function histogram(ref: ColumnProfile, cur: ColumnProfile, maxBars = 10): Histogram {
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    const e = ref.binEdges;
    const n = ref.binCounts.length;
    const labels = ref.binCounts.map((_, i) => (i === 0 ? `<${fmt(e[1])}` : i === n - 1 ? `>=${fmt(e[i])}` : `${fmt(e[i])}-${fmt(e[i + 1])}`));
    const curCounts = cur.binCounts.length === n ? cur.binCounts : ref.binCounts.map(() => 0);
    return { labels, reference: shares(ref.binCounts), current: shares(curCounts) };
  }
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    const keys = [...new Set([...Object.keys(ref.counts), ...Object.keys(cur.counts)])];
    const rs = (k: string): number => (ref.count > 0 ? countOf(ref.counts, k) / ref.count : 0);
    const cs = (k: string): number => (cur.count > 0 ? countOf(cur.counts, k) / cur.count : 0);
    keys.sort((a, b) => Math.max(rs(b), cs(b)) - Math.max(rs(a), cs(a)));
    const top = keys.slice(0, maxBars - 1);
    const rest = keys.slice(maxBars - 1);
    const other = rest.length > 0;
    return {
      labels: [...top, ...(other ? ['(other)'] : [])],
      reference: [...top.map(rs), ...(other ? [rest.reduce((s, k) => s + rs(k), 0)] : [])],
      current: [...top.map(cs), ...(other ? [rest.reduce((s, k) => s + cs(k), 0)] : [])],
    };
  }
  return { labels: [], reference: [], current: [] };
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '?';
  return Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString();
}

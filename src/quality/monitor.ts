/**
 * Data quality inside the engine: checks new rows a page at a time (a bounded step, like the
 * other analytics), builds the Quality screen's part of the snapshot from the stored counts,
 * and now and then recomputes cost and gain. That re-scores rows with the model, so it runs at
 * most every `analyseEveryMs`, over the last `analyseSpanMs` of event time, and loads the
 * report module (and tfjs) only when it first runs.
 */
import type { Db } from '../../store/db.js';
import { activeModel, refOf } from '../../store/registry.js';
import { latestPredictionTs, qualityWindows } from '../../store/quality.js';
import type { Config } from '../config.js';
import type { QualityFeatureRow, QualityStatus } from '../engine/snapshot.js';
import { qualityFollower, type QualityFollower } from './checker.js';
import { windowBreaches, type FeatureRule } from './rules.js';
import type { QualityReport } from './report.js';

export const ANALYSE_EVERY_MS = 120_000;
/**
 * How long the first analysis waits after start. 0: it runs once the first catch-up is done,
 * before an operator's first commands (it holds the engine thread while it re-scores rows).
 */
export const ANALYSE_DELAY_MS = 0;
/** Rows checked per engine step, as many as the other analytics read per step. */
export const STEP_ROWS = 2000;
export const ANALYSE_SPAN_MS = 7 * 86_400_000;
export const QUALITY_WINDOWS = 30;

export function describeRule(r: FeatureRule): string {
  const missing = `missing ≤ ${+(r.maxMissingShare * 100).toFixed(1)}%`;
  if (r.type === 'numeric') {
    const range = r.min !== undefined || r.max !== undefined ? ` ${r.min ?? '−∞'}…${r.max ?? '∞'}` : '';
    return `numeric${range}, ${missing}`;
  }
  const cats = r.categories ? ` ${r.categories.length} categories` : ' any value';
  const fresh = r.maxNewCategoryShare !== undefined ? `, new ≤ ${+(r.maxNewCategoryShare * 100).toFixed(1)}%` : '';
  return `categorical${cats}, ${missing}${fresh}`;
}

export class QualityMonitor {
  private readonly follower: QualityFollower;
  private report: QualityReport | null = null;
  private analysedAt: number | null = null;
  private analysing: Promise<void> | null = null;
  private failed = false;
  private readonly startedAt = Date.now();

  constructor(private readonly db: Db, private readonly config: Config,
    private readonly opts: { analyseEveryMs?: number; analyseSpanMs?: number; analyseDelayMs?: number } = {}) {
    this.follower = qualityFollower(db, config);
  }

  /** One page of checks; true when caught up. A broken rule set is reported once, then skipped. */
  step(onError: (e: Error) => void): boolean {
    if (this.failed) return true;
    try {
      return this.follower.step(STEP_ROWS);
    } catch (e) {
      this.failed = true;
      onError(e as Error);
      return true;
    }
  }

  /** Starts a cost-and-gain analysis when one is due; never two at once. */
  maybeAnalyse(onError: (e: Error) => void): void {
    if (this.failed || this.analysing) return;
    if (Date.now() - this.startedAt < (this.opts.analyseDelayMs ?? ANALYSE_DELAY_MS)) return;
    if (this.analysedAt !== null && Date.now() - this.analysedAt < (this.opts.analyseEveryMs ?? ANALYSE_EVERY_MS)) return;
    const active = activeModel(this.db);
    const resolved = this.follower.rules();
    // No rule (a version registered without a training profile): nothing to analyse.
    if (!active || resolved === null || Object.keys(resolved.rules).length === 0) return;
    const latest = latestPredictionTs(this.db, active.name, active.version);
    if (latest === null) return;
    this.analysing = (async () => {
      try {
        const { qualityReport } = await import('./report.js');
        this.report = await qualityReport(this.db, this.config, { model: refOf(active), since: latest - (this.opts.analyseSpanMs ?? ANALYSE_SPAN_MS) });
      } catch (e) {
        onError(e as Error);
      } finally {
        this.analysedAt = Date.now();
        this.analysing = null;
      }
    })();
  }

  /** Waits for an analysis in flight (tests, shutdown). */
  async settled(): Promise<void> {
    await this.analysing;
  }

  view(): QualityStatus | undefined {
    if (this.failed) return undefined;
    const resolved = this.follower.rules();
    const active = activeModel(this.db);
    if (!resolved || !active) return undefined;
    const windows = qualityWindows(this.db, active.name, active.version, QUALITY_WINDOWS);
    const report = this.report?.model === refOf(active) ? this.report : null;
    const rows: QualityFeatureRow[] = Object.entries(resolved.rules).map(([feature, rule]) => {
      const own = windows.filter((w) => w.feature === feature);
      const f = report?.features.find((x) => x.feature === feature);
      const cost = f?.cost.realised ?? f?.cost.estimated ?? null;
      const breaches = own.filter((w) => windowBreaches(rule, w).length > 0).length;
      return {
        feature, rule: describeRule(rule),
        violating: own.reduce((s, w) => s + w.flagged, 0), rows: own.reduce((s, w) => s + w.rows, 0), breaches,
        history: own.map((w) => (w.rows ? w.flagged / w.rows : 0)),
        importance: f?.importance ?? null,
        cost: cost?.cost ?? null, costCi: cost?.costCi ?? null,
        gain: f?.gain.value ?? null, gainCi: f?.gain.ci ?? null, basis: f?.gain.basis ?? (f?.cost.realised ? 'labels' : f?.cost.estimated ? 'cbpe' : null),
      };
    });
    // The report's rank order when there is one; before it, by violating rows.
    const order = report ? report.features.map((f) => f.feature) : [];
    rows.sort((a, b) => {
      const ia = order.indexOf(a.feature);
      const ib = order.indexOf(b.feature);
      if (ia >= 0 && ib >= 0) return ia - ib;
      return b.violating - a.violating || a.feature.localeCompare(b.feature);
    });
    return {
      model: refOf(active), rules: resolved.source, windows: QUALITY_WINDOWS, analysedAt: report ? this.analysedAt : null,
      features: rows, exportHint: 'mlops-tui quality export --feature F --top N',
    };
  }
}

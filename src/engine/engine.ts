/**
 * The engine: one object that runs ingest and analytics off the render path
 * and hands the console plain snapshots at a bounded rate.
 *
 * Data flows one way: the ingest service commits lines to SQLite; the engine
 * follows the predictions and labels tables with rowid cursors (AnalyticsReader)
 * and updates in-memory aggregates (ModelMonitor, DriftMonitor, pair
 * accumulators). Work is done in bounded steps that yield to the event loop,
 * so a burst of 100,000 lines never blocks key handling for long.
 * `caughtUp()` resolves when ingest and analytics have processed everything
 * on disk — tests wait on it instead of sleeping.
 */
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { openDb, type Db } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { AnalyticsReader, driftWindows, openAlert, openAlerts, saveDriftWindow, type LabelFact, type PredictionFact } from '../../store/analyticsQueries.js';
import { activeModel, listModels, refOf, type ModelInfo } from '../../store/registry.js';
import { auditTrail } from '../../store/audit.js';
import { recentQuarantine, storeTotals } from '../../store/statusQueries.js';
import { recentConflicts } from '../../store/conflicts.js';
import { IngestService, ingestOptions } from '../ingest/ingestService.js';
import type { Config } from '../config.js';
import { PairAccumulator, type PairComparison } from '../compare/pairs.js';
import type { PairRefs } from '../core/pair.js';
import { isHeldOut } from '../compare/heldOut.js';
import type { ColumnDriftResult } from '../drift/columnDrift.js';
import { loadArtifact } from '../registry/saveArtifact.js';
import type { ModelArtifact } from '../models/artifact.js';
import { formatDay, formatMinute, parseDuration } from '../core/time.js';
import { classKeyOfText, classSpace, labelledOutcome, probabilitiesOf, type ClassSpace } from '../core/classes.js';
import { ModelMonitor } from './modelMonitor.js';
import { DriftMonitor, type ClosedWindow, type DriftReference, type DriftSettings } from './driftMonitor.js';
import { HostLens } from './hostLens.js';
import { hostLineCounts } from '../../store/fleetStore.js';
import { LOCAL_HOST } from '../fleet/hostDrift.js';
import { encoderFromState } from '../models/encoder.js';
import { fitReconstruction } from '../drift/multivariate.js';
import { REFERENCE_CHUNK_ROWS } from '../models/trainArtifact.js';
import { auditSummary } from '../registry/auditSummary.js';
import { QualityMonitor } from '../quality/monitor.js';
import { rankDriftRows } from '../quality/rank.js';
import { Retention } from '../retention/retention.js';
import type { Redactor } from '../redact/redact.js';
import type { AlertRow, CommandResult, DriftStatus, HostCountRow, HostsStatus, ModelEstimates, PairRow, Snapshot, SnapshotSource, TrafficAlias, TrafficRow } from './snapshot.js';
import { cbpeReferenceOf, pinnedCbpeReferences } from '../compare/cbpeStore.js';
import { AlertBook, acknowledgeAlert, type SeverityRule } from '../alerts/episodes.js';
import { Notifier } from '../alerts/notifier.js';
import { chooseByEstimate } from '../compare/choose.js';
import { countOpenPages, listEpisodes, notificationsByStatus } from '../../store/alertEpisodes.js';
import type { AuditInput } from '../../store/audit.js';
import type { CbpeReference } from '../compare/cbpeReference.js';

export interface EngineOptions {
  config: Config;
  /** Run the ingest watcher in this process (the console does; tests may ingest separately). */
  ingest?: boolean;
  /**
   * Delete raw rows past `retention.rawDays` (src/retention): the process that writes does it.
   * Default: when this engine ingests files; the console fed from NATS sets it too.
   */
  retention?: boolean;
  backend?: string;
  notice?: string | null;
  /** Rows read back from history at start (bounds start-up cost on huge databases). */
  lookback?: number;
  stepRows?: number;
  snapshotMs?: number;
}

const MAX_PENDING_PAIRS = 50_000;

/** A shadow against the active version; A of the accumulators is the candidate (src/core/pair.ts). */
interface PairState extends PairRefs {
  all: PairAccumulator;
  labelled: PairAccumulator;
  /** labelled pairs in the gate's held-out set */
  heldOut: number;
}

export class Engine extends EventEmitter implements SnapshotSource {
  readonly db: Db;
  readonly dbPath: string;
  readonly ingest: IngestService | null;
  private readonly retention: Retention | null;
  private readonly redactor: Redactor | null;
  private readonly reader: AnalyticsReader;
  private predCursor = 0;
  /** Where reading began at start: windows before it are seeded from the store. */
  private startCursor = 0;
  private labelCursor = 0;
  private startLabelCursor = 0;
  private readonly monitors = new Map<string, ModelMonitor>();
  private readonly artifacts = new Map<string, ModelArtifact | null>();
  private models: ModelInfo[] = [];
  private activeRef: string | null = null;
  private drift: DriftMonitor | null = null;
  private readonly pending = new Map<string, Map<string, { predicted: number; score: number }>>();
  private readonly pairs = new Map<string, PairState>();
  private readonly openAlertKeys = new Set<string>();
  private readonly book: AlertBook;
  private readonly notifier: Notifier;
  /** CBPE references the operator pinned (re-read with the registry). */
  private pinned = new Map<string, CbpeReference>();
  private snapshot: Snapshot | null = null;
  private readonly snapshotListeners = new Set<(s: Snapshot) => void>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stepping: Promise<void> | null = null;
  private stopped = false;
  /** Whether analytics still had rows to read when the last snapshot was built. */
  private behind = true;
  private lastRegistryCheck = 0;
  private readonly windowMs: number;
  /** Data-quality checks, counts and the Quality screen's figures (src/quality). */
  private readonly quality: QualityMonitor;
  private qualityDone = false;
  /** The console's host filter (null: the whole fleet) and its in-memory figures (hostLens.ts). */
  private hostFilter: string | null = null;
  private lens: HostLens | null = null;
  private hostList: HostCountRow[] = [];
  private hostListAt = 0;
  private hostListCursor = -1;
  /** With `--from nats`: the durable consumer's backlog (set by the engine thread that runs the feed). */
  fleetLag: (() => { pending: number; oldestUnackedSeconds: number | null } | null) | null = null;
  private lagBytes: { at: number; bytes: number } | null = null;
  /** Which replica differs (src/ops/hosts.ts), filled by the operations layer. */
  hostDrift: Pick<HostsStatus, 'drift' | 'driftAt' | 'driftRows'> = { drift: [], driftAt: null, driftRows: 0 };

  constructor(private readonly opts: EngineOptions) {
    super();
    this.dbPath = resolve(opts.config.db);
    this.db = openDb(opts.config.db);
    const store = new IngestStore(this.db);
    store.pinSchema(opts.config.features);
    const ingestOpts = ingestOptions(opts.config);
    this.redactor = ingestOpts.redact ?? null;
    this.ingest = opts.ingest === false ? null : new IngestService(store, ingestOpts);
    // the process that ingests also keeps the raw rows within their horizon
    this.retention = (opts.retention ?? this.ingest !== null) ? new Retention(this.db, { rawDays: opts.config.retention.rawDays, newestTs: () => store.newestTs(), processed: () => this.cursors }) : null;
    this.reader = new AnalyticsReader(this.db);
    this.windowMs = parseDuration(opts.config.drift.window);
    const alerts = opts.config.alerts;
    const notify = alerts.notify;
    this.book = new AlertBook(this.db, {
      windowMs: this.windowMs, resolveAfterWindows: alerts.resolveAfterWindows, featureWindows: alerts.featureWindows,
      targets: [...(notify.command ? ['command' as const] : []), ...(notify.webhook ? ['webhook' as const] : [])],
    });
    this.notifier = new Notifier(this.db, notify);
    for (const a of openAlerts(this.db, 5000)) this.openAlertKeys.add(alertKey(a.kind, a.kind === 'concept-drift' ? a.level : a.detector, a.subject, a.eventTime));
    const max = this.reader.maxIds();
    const lookback = opts.lookback ?? 500_000;
    this.predCursor = Math.max(0, max.predictions - lookback);
    this.startCursor = this.predCursor;
    this.labelCursor = Math.max(0, max.labels - lookback);
    this.startLabelCursor = this.labelCursor;
    this.refreshRegistry(true);
    this.quality = new QualityMonitor(this.db, opts.config);
  }

  async start(): Promise<void> {
    if (this.ingest) {
      this.ingest.on('batch', () => this.kick());
      this.ingest.on('error', (e: Error) => { this.ingestProblem = `ingest: ${e.message}`; this.emit('error', e); });
      this.ingest.on('missing', (why: string) => { this.ingestProblem = `ingest: ${why}; waiting for it`; this.kick(); });
      this.ingest.on('recovered', () => { this.ingestProblem = null; this.kick(); });
      await this.ingest.start();
    }
    this.retention?.start();
    this.running = true;
    this.notifier.start();
    this.timer = setInterval(() => this.kick(), this.opts.snapshotMs ?? 250);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.retention?.stop();
    await this.ingest?.stop();
    await this.stepping;
    await this.quality.settled();
    await this.notifier.stop();
    this.db.close();
  }

  /** Schedules a processing pass (coalesced) and a snapshot. */
  kick(): void {
    if (this.stopped || this.stepping) return;
    this.stepping = (async () => {
      // Yield first: were the pass to finish synchronously, its `finally` would
      // run before `this.stepping` is assigned and leave a settled promise there.
      await Promise.resolve();
      try {
        let done = false;
        let published = Date.now();
        while (!done && !this.stopped) {
          done = this.step();
          if (!done) {
            // While catching up on a long history, still show progress at the snapshot rate.
            if (Date.now() - published >= (this.opts.snapshotMs ?? 250)) {
              this.behind = true;
              this.publish();
              published = Date.now();
            }
            await new Promise((r) => setImmediate(r));
          }
        }
        if (!this.stopped) {
          this.behind = !done;
          this.stepProblem = null;
          this.publish();
          if (done) this.quality.maybeAnalyse((e) => this.emit('error', e));
        }
      } catch (err) {
        // Shown on the flash line (through the host when even the snapshot failed), not a stale frame.
        this.stepProblem = `engine: ${(err as Error).message}`;
        this.emit('error', err);
      } finally {
        this.stepping = null;
      }
    })();
  }

  /** Resolves once everything on disk is ingested and analysed. */
  async caughtUp(): Promise<void> {
    for (;;) {
      if (this.ingest) {
        this.ingest.pollNow();
        await this.ingest.idle();
      }
      await this.stepping;
      const max = this.reader.maxIds();
      if (max.predictions === this.predCursor && max.labels === this.labelCursor && this.qualityDone && (this.hostFilter === null || this.lens?.caughtUp === true)) {
        this.behind = false;
        this.publish();
        return;
      }
      if (!this.stepping) this.kick();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  // ---- registry -----------------------------------------------------------

  private refreshRegistry(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastRegistryCheck < 1000) return;
    this.lastRegistryCheck = now;
    this.models = listModels(this.db);
    this.refreshReferences();
    const active = activeModel(this.db);
    const ref = active ? refOf(active) : null;
    if (ref !== this.activeRef) {
      this.activeRef = ref;
      this.drift = active ? this.makeDrift(active) : null;
    }
  }

  /** A reference pinned since the last check reaches its model's monitor. */
  private refreshReferences(): void {
    this.pinned = pinnedCbpeReferences(this.db);
    for (const m of this.monitors.values()) {
      const r = cbpeReferenceOf(this.pinned, m.ref, this.artifactOf(m.ref));
      if (r !== m.cbpeReference) m.setReference(r);
    }
  }

  private artifactOf(ref: string): ModelArtifact | null {
    if (this.artifacts.has(ref)) return this.artifacts.get(ref) ?? null;
    const m = this.models.find((x) => refOf(x) === ref);
    let a: ModelArtifact | null = null;
    if (m) {
      try { a = loadArtifact(this.db, m.id); } catch { a = null; }
    }
    this.artifacts.set(ref, a);
    return a;
  }

  /** The active model's drift reference and settings, for the fleet's monitor and a host's (hostLens.ts). */
  private driftReference(ref: string): { reference: DriftReference; settings: DriftSettings } | null {
    const a = this.artifactOf(ref);
    if (!a) return null;
    const cfg = this.opts.config.drift;
    const reference = { schema: a.schema, profile: a.profile, label: a.label, classCounts: a.trainedOn.classCounts, periods: a.periodProfiles, scores: a.scoreProfile, multivariate: multivariateReference(a) };
    return {
      // live rows of a redacted feature are tokens (or absent): compare them with a reference redacted alike
      reference: this.redactor ? this.redactor.reference(reference) : reference,
      settings: { windowMs: this.windowMs, datasetShare: cfg.datasetShare, perFeature: cfg.perFeature, calendar: cfg.calendar },
    };
  }

  private makeDrift(active: ModelInfo): DriftMonitor | null {
    const ref = refOf(active);
    const r = this.driftReference(ref);
    if (!r) return null;
    const d = new DriftMonitor(ref, r.reference, r.settings, (w) => this.windowClosed(ref, w));
    // Windows older than the rows read back at start are history; later ones are recomputed.
    const replayFrom = this.reader.tsAfter(this.startCursor);
    const stored = driftWindows(this.db, ref, 30).filter((w) => replayFrom === null ? true : w.windowEnd <= replayFrom);
    d.seedHistory(stored.map((w) => ({ results: JSON.parse(w.results) as ColumnDriftResult[] })));
    return d;
  }

  private monitor(ref: string): ModelMonitor {
    let m = this.monitors.get(ref);
    if (!m) {
      m = this.newMonitor(ref);
      this.monitors.set(ref, m);
    }
    return m;
  }

  private newMonitor(ref: string): ModelMonitor {
    const a = this.artifactOf(ref);
    const space: ClassSpace = classSpace(a ? a.classes : null);
    return new ModelMonitor(ref, space, cbpeReferenceOf(this.pinned, ref, a), this.windowMs);
  }

  // ---- the host filter (src/engine/hostLens.ts) ---------------------------

  /** The console's `H`: show one host's figures (null: the fleet). Writes nothing. */
  setHost(host: string | null): CommandResult {
    if (host !== null) {
      this.refreshHostList(true);
      if (!this.hostList.some((h) => h.host === host)) return { ok: false, message: `No lines from host "${host}" in the database.` };
    }
    this.hostFilter = host;
    this.lens = null;
    this.kick();
    return { ok: true, message: host === null ? 'Showing the whole fleet.' : `Showing host ${host}; shadow pairs, models, jobs, alerts and quality stay fleet-wide.` };
  }

  private refreshHostList(force = false): void {
    const now = Date.now();
    // Also whenever predictions arrived: a host's first lines must be selectable (H) in the
    // snapshot whose counts include them, not up to 5 s later. The query reads the small files
    // table's counters, not the rows.
    const cursor = this.cursors.predictions;
    if (!force && now - this.hostListAt < 5000 && cursor === this.hostListCursor) return;
    this.hostListAt = now;
    this.hostListCursor = cursor;
    this.hostList = hostLineCounts(this.db).map((h) => ({ ...h, host: h.host ?? LOCAL_HOST }));
  }

  /** The lens for the selected host, made again when the active model changed. */
  private currentLens(): HostLens | null {
    if (this.hostFilter === null) return null;
    if (this.lens === null || this.lens.activeRef !== this.activeRef) {
      this.lens = new HostLens(this.db, {
        host: this.hostFilter, activeRef: this.activeRef,
        drift: this.activeRef ? this.driftReference(this.activeRef) : null,
        newMonitor: (ref) => this.newMonitor(ref),
        from: { predictions: this.startCursor, labels: this.startLabelCursor },
      });
    }
    return this.lens;
  }

  // ---- alerts -------------------------------------------------------------

  /**
   * Opens an alert unless the same kind, detector and subject already fired on
   * the same day of event time: a detector that keeps firing through a storm is
   * one alert per day, not hundreds.
   */
  private alert(kind: string, detector: string | null, subject: string, level: string, message: string, eventTime: number | null): void {
    // Detectors of one model firing the same day are one alert per level (the first names itself).
    const key = alertKey(kind, kind === 'concept-drift' ? level : detector, subject, eventTime);
    if (this.openAlertKeys.has(key)) return;
    this.openAlertKeys.add(key);
    openAlert(this.db, { kind, detector, subject, level, message, eventTime });
  }

  /** A condition for an alert episode (src/alerts/episodes.ts); also for the operations layer (failed retrains). */
  raiseAlert(kind: string, subject: string, rule: SeverityRule, message: string, eventTime: number): void {
    this.book.raise(kind, subject, rule, message, eventTime);
  }

  resolveAlert(kind: string, subject: string, resolution: string): void {
    this.book.resolve(kind, subject, resolution);
  }

  acknowledgeAlert(id: number, who: AuditInput): { ok: boolean; message: string } {
    return this.book.acknowledge(id, who);
  }

  /** A data-drift page is live (choose.requireDrift), from the in-memory episode book. */
  inputsDrifted(): boolean {
    return this.book.inputsDrifted();
  }

  /** Severity of conditions about a model: a person is paged for the serving model only. */
  private modelRule(ref: string): SeverityRule {
    return ref === this.activeRef ? 'page' : 'info';
  }

  private windowClosed(model: string, w: ClosedWindow): void {
    saveDriftWindow(this.db, {
      model, windowStart: w.start, windowEnd: w.end, rows: w.rows, datasetDrifted: w.datasetDrifted, share: w.share,
      results: JSON.stringify(w.results),
    });
    const day = formatMinute(w.start);
    for (const r of w.results) {
      if (r.level !== 'drift') continue;
      const msg = `${r.feature} drifted in the window from ${day} (${r.method} ${r.statistic.toFixed(3)} vs threshold ${r.threshold})`;
      this.alert('data-drift', r.method, r.feature, 'drift', msg, w.start);
      this.book.raise('feature-drift', r.feature, 'sustained', msg, w.start);
    }
    if (w.multivariate?.alert) {
      const msg = `PCA reconstruction error ${w.multivariate.error.toFixed(3)} outside the reference band (up to ${w.multivariate.upper.toFixed(3)}) in the window from ${day}`;
      this.alert('multivariate', 'pca-reconstruction', model, 'drift', msg, w.start);
      this.book.raise('multivariate', model, 'info', msg, w.start);
    }
    if (w.datasetDrifted) {
      const msg = `${Math.round(w.share * 100)}% of features drifted in the window from ${day}: ${w.driftedColumns.join(', ')}`;
      this.alert('dataset-drift', null, model, 'drift', msg, w.start);
      this.book.raise('dataset-drift', model, 'page', msg, w.start);
    }
    this.emit('window', { model, window: w });
  }

  // ---- processing ---------------------------------------------------------

  /** One bounded unit of work; returns true when caught up. */
  step(): boolean {
    this.refreshRegistry();
    const max = this.reader.maxIds();
    const stepRows = this.opts.stepRows ?? 2000;
    const upP = Math.min(max.predictions, this.predCursor + stepRows);
    if (upP > this.predCursor) {
      const facts = this.reader.predictionsBetween(this.predCursor, upP, this.labelCursor);
      this.handlePredictions(facts);
      this.predCursor = upP;
    }
    const upL = Math.min(max.labels, this.labelCursor + stepRows);
    if (upL > this.labelCursor) {
      const facts = this.reader.labelsBetween(this.labelCursor, upL, this.predCursor);
      this.handleLabels(facts);
      this.labelCursor = upL;
    }
    this.qualityDone = this.quality.step((e) => this.emit('error', e));
    const lensDone = this.currentLens()?.step(max, stepRows) ?? true;
    return upP === max.predictions && upL === max.labels && this.qualityDone && lensDone;
  }

  private pairState(candidate: string, active: string): PairState {
    const key = `${candidate}|${active}`;
    let p = this.pairs.get(key);
    if (!p) {
      p = { candidate, active, all: new PairAccumulator(), labelled: new PairAccumulator(), heldOut: 0 };
      this.pairs.set(key, p);
    }
    return p;
  }

  private handlePredictions(facts: PredictionFact[]): void {
    const labelled: Array<{ requestId: string; ref: string; predicted: number; score: number; label: number }> = [];
    let maxTs = -Infinity;
    for (const f of facts) {
      if (f.ts > maxTs) maxTs = f.ts;
      const ref = `${f.model}@${f.version}`;
      const mon = this.monitor(ref);
      const predicted = mon.space.indexOfText(f.prediction);
      const pos = mon.space.binary ? f.score : null;
      mon.onPrediction(predicted, mon.space.binary ? f.score : probabilitiesOf(mon.space, f.scores), f.ts);
      if (ref === this.activeRef && this.drift) {
        let features: Record<string, unknown> = {};
        try { features = JSON.parse(f.features) as Record<string, unknown>; } catch { /* validated at ingest */ }
        this.drift.addFeatures(f.ts, features);
      }
      if (this.drift && pos !== null) this.drift.addScore(ref, f.ts, pos);
      this.pairPrediction(f.requestId, ref, predicted, pos ?? NaN);
      if (f.label !== null && f.labelTs !== null) {
        const { label, probTrue } = labelledOutcome(mon.space, { ...f, label: f.label });
        this.labelled(mon, label, predicted, pos, probTrue, f.ts);
        labelled.push({ requestId: f.requestId, ref, predicted, score: pos ?? NaN, label });
        // A label whose prediction was analysed after it (catching up on history, or a
        // label logged first) is paired here, not in handleLabels: label drift must see it too.
        if (ref === this.activeRef) this.labelDrift(f.ts, f.label);
      }
    }
    this.pairLabelled(labelled);
    this.estimateAlerts();
    if (maxTs > -Infinity) this.book.advance(maxTs);
  }

  /** Complete windows whose CBPE estimate fell below the reference's lower threshold. */
  private estimateAlerts(): void {
    for (const mon of this.monitors.values()) {
      for (const w of mon.closedWindows()) {
        if (!w.alert || w.estimated === null) continue;
        const t = mon.cbpeReference?.threshold.lower ?? 0;
        this.book.raise('estimated-performance', mon.ref, this.modelRule(mon.ref),
          `estimated accuracy of ${mon.ref} ${(w.estimated * 100).toFixed(1)}% on ${formatDay(w.start)}, below its threshold ${(t * 100).toFixed(1)}% (no labels needed)`, w.start);
      }
    }
  }

  private handleLabels(facts: LabelFact[]): void {
    const labelled: Array<{ requestId: string; ref: string; predicted: number; score: number; label: number }> = [];
    for (const f of facts) {
      const ref = `${f.model}@${f.version}`;
      const mon = this.monitor(ref);
      const { predicted, label, pos, probTrue } = labelledOutcome(mon.space, f);
      this.labelled(mon, label, predicted, pos, probTrue, f.ts);
      labelled.push({ requestId: f.requestId, ref, predicted, score: pos ?? NaN, label });
      // A label belongs to the request, not to a model: it is counted once, with the active
      // model's prediction of the request. That pair is made exactly once, here or in
      // handlePredictions, whichever of the two rows is analysed later.
      if (ref === this.activeRef) this.labelDrift(f.ts, f.label);
    }
    this.pairLabelled(labelled);
  }

  /** Label drift by the time of the request (the day a flight flew), not of the label's arrival. */
  private labelDrift(requestTs: number, labelJson: string): void {
    if (!this.drift) return;
    // Keyed by the class rule, as the artifact's class counts are (true and 1 are one class).
    const key = classKeyOfText(labelJson);
    if (key === null) return;
    const closed = this.drift.addLabel(requestTs, key.key);
    if (closed && closed.result.level === 'drift') {
      const day = formatDay(closed.start);
      const msg = `label shares drifted on ${day} (${closed.result.method} ${closed.result.statistic.toFixed(3)} vs threshold ${closed.result.threshold})`;
      this.alert('label-drift', closed.result.method, closed.result.feature, 'drift', msg, closed.start);
      this.book.raise('label-drift', closed.result.feature, 'info', msg, closed.start);
    }
  }

  /** `eventTime` is when the request was made: a detector firing is dated to the traffic it judged. */
  private labelled(mon: ModelMonitor, label: number, predicted: number, pos: number | null, probTrue: number | null, eventTime: number): void {
    for (const f of mon.onLabelled(label, predicted, pos, probTrue, eventTime)) {
      const when = formatMinute(f.eventTime);
      const acc = `rolling accuracy ${(mon.rolling.accuracy() * 100).toFixed(1)}%`;
      if (f.detector === 'calibration-cusum') {
        // Outcomes worse than the model's own probabilities: a changed concept. This one alerts
        // and may trigger the retrain policy.
        if (mon.ref === this.activeRef) this.emit('detector', f.detector, mon.ref);
        const msg = `outcomes worse than ${mon.ref} expects (calibration CUSUM) at ${when}; ${acc}`;
        this.alert('concept-drift', f.detector, mon.ref, 'drift', msg, f.eventTime);
        this.book.raise('calibration', mon.ref, this.modelRule(mon.ref), msg, f.eventTime);
      } else {
        // River's detectors adapt to the stream's own level and also fire on ordinary daily
        // swings of the error rate: shown as warnings.
        const msg = `${f.detector} fired on the error stream of ${mon.ref} at ${when}; ${acc}`;
        this.alert('concept-drift', f.detector, mon.ref, 'warn', msg, f.eventTime);
        this.book.raise('error-rate', mon.ref, 'info', msg, f.eventTime);
      }
    }
  }

  private pairPrediction(requestId: string, ref: string, predicted: number, score: number): void {
    let entry = this.pending.get(requestId);
    if (!entry) {
      entry = new Map();
      this.pending.set(requestId, entry);
      if (this.pending.size > MAX_PENDING_PAIRS) this.pending.delete(this.pending.keys().next().value as string);
    }
    entry.set(ref, { predicted, score });
    const active = this.activeRef;
    if (active === null) return;
    const a = entry.get(active);
    if (!a) return;
    const others = ref === active ? [...entry.keys()].filter((k) => k !== active) : [ref];
    for (const other of others) {
      const c = entry.get(other)!;
      this.pairState(other, active).all.add({ predictedA: c.predicted, scoreA: c.score, predictedB: a.predicted, scoreB: a.score });
    }
  }

  private pairLabelled(rows: Array<{ requestId: string; ref: string; predicted: number; score: number; label: number }>): void {
    const active = this.activeRef;
    if (active === null || rows.length === 0) return;
    const byRequest = new Map<string, Map<string, { predicted: number; score: number; label: number }>>();
    for (const r of rows) {
      let m = byRequest.get(r.requestId);
      if (!m) { m = new Map(); byRequest.set(r.requestId, m); }
      m.set(r.ref, r);
    }
    const share = this.opts.config.gate.heldOutShare;
    for (const [requestId, m] of byRequest) {
      const a = m.get(active);
      if (!a || a.label < 0) continue;
      const held = isHeldOut(requestId, share);
      for (const [ref, c] of m) {
        if (ref === active) continue;
        const p = this.pairState(ref, active);
        p.labelled.add({ predictedA: c.predicted, scoreA: c.score, predictedB: a.predicted, scoreB: a.score, label: a.label });
        if (held) p.heldOut++;
      }
    }
  }

  // ---- snapshots ----------------------------------------------------------

  current(): Snapshot | null {
    return this.snapshot;
  }

  subscribe(listener: (s: Snapshot) => void): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  private ingestProblem: string | null = null;
  private stepProblem: string | null = null;

  /** Trouble of an ingest the engine does not own (the console's NATS feed), until it reports null. */
  reportIngestProblem(message: string | null): void {
    if (message === this.ingestProblem) return;
    this.ingestProblem = message;
    this.kick();
  }

  /** Extra parts of the snapshot provided by other services (jobs, gate budgets). */
  decorate: ((s: Snapshot) => void) | null = null;

  private publish(): void {
    const s = this.buildSnapshot();
    s.problem = this.stepProblem ?? this.ingestProblem;
    this.decorate?.(s);
    this.snapshot = s;
    for (const l of this.snapshotListeners) l(s);
    this.emit('snapshot', s);
  }

  buildSnapshot(): Snapshot {
    this.refreshRegistry();
    const counts = storeTotals(this.db);
    // A model only the logs know is not 'retired': the registry never had it.
    const aliasOf = (ref: string): TrafficAlias => {
      const m = this.models.find((x) => refOf(x) === ref);
      return m ? (m.alias ?? 'retired') : 'unregistered';
    };
    const traffic = trafficRows(this.monitors.values(), aliasOf);
    const estimates = estimateRows(this.monitors.values(), aliasOf);
    const alerts: AlertRow[] = listEpisodes(this.db, { all: false, limit: 100 }).map((e) => ({
      id: String(e.id), at: e.openedAt, since: e.firstWindow * this.windowMs, kind: e.kind, detector: null, subject: e.subject, level: e.severity === 'page' ? 'drift' : 'warn',
      severity: e.severity, state: e.state, updatedAt: e.updatedAt, message: e.message,
    }));
    const deadLetters = notificationsByStatus(this.db, 'dead', 20).map((n) => ({
      alertId: String(n.episodeId), event: n.event, target: n.target, attempts: n.attempts, at: n.doneAt ?? n.createdAt, error: n.lastError ?? '',
    }));
    const drift = this.driftStatus(this.drift);
    const pairs: PairRow[] = [...this.pairs.values()].filter((p) => p.active === this.activeRef).map((p) => {
      const all = p.all.result();
      const lab = p.labelled.result();
      const has = lab.labelled > 0;
      const d = lab.difference;
      return {
        candidate: p.candidate, active: p.active, n: all.n, agreement: all.agreementRate, meanAbsDiff: finite(all.meanAbsScoreDifference),
        labelled: lab.labelled, accCandidate: has ? lab.accuracyA : null, accActive: has ? lab.accuracyB : null,
        diff: d ? d.difference : null, ci: d ? [d.lower, d.upper] : null, pValue: lab.mcnemar ? lab.mcnemar.pValue : null,
        verdict: !has || lab.verdict === null ? 'insufficient' : lab.verdict === 'no significant difference' ? 'no-difference' : lab.verdict,
        estAccCandidate: this.monitors.get(p.candidate)?.estimatedAccuracy() ?? null, estAccActive: this.monitors.get(p.active)?.estimatedAccuracy() ?? null,
        gate: null,
      };
    });
    return {
      at: Date.now(),
      db: this.dbPath,
      backend: this.opts.backend ?? 'not loaded',
      ingest: {
        ratePerSec: this.ingest?.rate() ?? 0, predictions: counts.predictions, labels: counts.labels, quarantined: counts.quarantined,
        files: this.ingest?.files ?? 0,
        // Not `this.stepping === null`: snapshots are built inside the pass, so that was never true.
        caughtUp: !this.behind,
        ...this.ingestLag(),
      },
      notice: this.opts.notice ?? null,
      models: this.models.map((m) => ({
        name: m.name, version: m.version, alias: m.alias ?? 'retired', type: m.type, createdAt: m.createdAt,
        metrics: {
          accuracy: num(m.metrics.accuracy), logLoss: num(m.metrics.logLoss), auc: num(m.metrics.auc), rows: num(m.metrics.trainedRows),
        },
      })),
      choices: chooseByEstimate(estimates),
      traffic, alerts, openPages: countOpenPages(this.db), deadLetters, estimates, drift, pairs,
      jobs: [],
      events: auditTrail(this.db, 100).map((e) => ({
        at: e.at, operator: e.client ? `${e.operator} from ${e.client}` : e.operator, action: e.action,
        before: e.before, after: e.after ?? e.subject, detail: auditSummary(e.action, e.details) || null,
      })),
      quarantine: recentQuarantine(this.db, 100).map(quarantineRow),
      conflicts: recentConflicts(this.db, 50).map((c) => ({
        at: c.at, kind: c.kind, subject: c.kind === 'label' ? 'label' : `${c.model}@${c.version}`, requestId: c.requestId,
        kept: c.kept.slice(0, 200), other: c.other.slice(0, 200), where: `${c.path ?? '?'}:${c.line}`,
      })),
      quality: this.quality.view(),
      hosts: this.hostsStatus(aliasOf),
    };
  }

  /** What `--metrics` reports as lag: bytes of the watched files (a stat per file, at most once a second), or the consumer's backlog. */
  private ingestLag(): Partial<Snapshot['ingest']> {
    if (this.fleetLag) {
      const l = this.fleetLag();
      return { natsPending: l?.pending ?? null, natsOldestUnackedSeconds: l?.oldestUnackedSeconds ?? null };
    }
    if (!this.ingest) return {};
    const now = Date.now();
    if (this.lagBytes === null || now - this.lagBytes.at >= 1000) this.lagBytes = { at: now, bytes: this.ingest.lagBytes() };
    return { lagBytes: this.lagBytes.bytes };
  }

  /** The drift screen's figures of a drift monitor: the fleet's, or one host's. */
  private driftStatus(monitor: DriftMonitor | null): DriftStatus {
    if (!monitor) return { window: 'no active model with a reference profile', rows: 0, datasetDrifted: false, share: 0, shareThreshold: this.opts.config.drift.datasetShare, features: [] };
    const v = monitor.view();
    const filling = monitor.filling;
    const fill = filling ? `; filling ${formatMinute(filling.start)} (${filling.rows} rows)` : '';
    const a = this.activeRef ? this.artifactOf(this.activeRef) : null;
    return {
      window: v.window === null ? `waiting for the first complete ${this.opts.config.drift.window} window${fill}`
        : `${this.opts.config.drift.window} window from ${formatMinute(v.window.start)}${fill}`,
      rows: v.window?.rows ?? 0, datasetDrifted: v.window?.drifted ?? false, share: v.window?.share ?? 0,
      shareThreshold: this.opts.config.drift.datasetShare,
      // ranked by the active model's importance × effect (src/quality/rank.ts)
      features: rankDriftRows(v.rows, a?.features ?? [], a?.importance?.values ?? null),
    };
  }

  private hostsStatus(aliasOf: (ref: string) => TrafficAlias): HostsStatus {
    this.refreshHostList();
    const lens = this.hostFilter === null ? null : this.lens;
    return {
      selected: this.hostFilter, list: this.hostList, ...this.hostDrift,
      view: lens === null ? null : {
        host: lens.host,
        traffic: trafficRows(lens.monitors.values(), aliasOf),
        estimates: estimateRows(lens.monitors.values(), aliasOf),
        drift: this.driftStatus(lens.drift),
        quarantine: recentQuarantine(this.db, 100, { host: lens.host === LOCAL_HOST ? null : lens.host }).map(quarantineRow),
        caughtUp: lens.caughtUp,
      },
    };
  }

  /** The labelled comparison of the candidate (A) with the active version since start, or null before any pair. */
  labelledComparison(p: PairRefs): PairComparison | null {
    const s = this.pairs.get(`${p.candidate}|${p.active}`);
    return s ? s.labelled.result() : null;
  }

  /** Labelled pairs in the gate's held-out set, as seen since start. */
  heldOutPairs(p: PairRefs): number {
    return this.pairs.get(`${p.candidate}|${p.active}`)?.heldOut ?? 0;
  }

  get cursors(): { predictions: number; labels: number } {
    return { predictions: this.predCursor, labels: this.labelCursor };
  }

}

/**
 * NannyML's data reconstruction drift: PCA keeping 65% of the variance, fitted
 * on the model's encoded training sample, whose chunks (one training day of 500
 * rows each) give the reference band; live windows are checked on 500-row
 * samples, so both sides average the same number of rows.
 */
function multivariateReference(a: ModelArtifact): DriftReference['multivariate'] {
  const sample = a.referenceSample;
  if (!sample || sample.length < 2 * REFERENCE_CHUNK_ROWS) return undefined;
  const encoder = encoderFromState(a.encoder);
  const encode = (rows: Record<string, unknown>[]): number[][] => {
    const flat = encoder.transform(rows);
    const d = encoder.dim;
    const out: number[][] = [];
    for (let i = 0; i < rows.length; i++) out.push(Array.from(flat.subarray(i * d, (i + 1) * d)));
    return out;
  };
  try {
    return { model: fitReconstruction(encode(sample), { chunkSize: REFERENCE_CHUNK_ROWS }), encode };
  } catch {
    return undefined;
  }
}

const byAlias = <R extends { alias: TrafficAlias; model: string }>(x: R, y: R): number =>
  (x.alias === 'active' ? -1 : y.alias === 'active' ? 1 : x.model.localeCompare(y.model));

/** The Overview's rows of a set of monitors (the fleet's, or one host's), active first. */
function trafficRows(monitors: Iterable<ModelMonitor>, aliasOf: (ref: string) => TrafficAlias): TrafficRow[] {
  return [...monitors].map((m) => {
    const r = m.metrics();
    return {
      model: m.ref, alias: aliasOf(m.ref), predictions: m.predictions, labelled: m.labelled,
      coverage: m.predictions > 0 ? m.labelled / m.predictions : 0,
      accuracy: r.accuracy, logLoss: r.logLoss, auc: r.auc, estAccuracy: m.estimatedAccuracy(),
    };
  }).sort(byAlias);
}

function estimateRows(monitors: Iterable<ModelMonitor>, aliasOf: (ref: string) => TrafficAlias): ModelEstimates[] {
  return [...monitors].map((m) => {
    const r = m.cbpeReference;
    return {
      model: m.ref, alias: aliasOf(m.ref), metric: 'accuracy' as const,
      reference: r ? { source: r.source, rows: r.rows, from: r.from, until: r.until } : null,
      threshold: r ? { ...r.threshold } : null,
      windows: m.estimates(),
    };
  }).sort(byAlias);
}

function quarantineRow(q: { at: number; path: string; line: number; reason: string; text: string }): Snapshot['quarantine'][number] {
  return { at: q.at, file: q.path, line: q.line, reason: q.reason, text: q.text.slice(0, 200) };
}

function alertKey(kind: string, detector: string | null, subject: string, eventTime: number | null): string {
  const day = eventTime === null ? '' : formatDay(eventTime);
  return `${kind}|${detector ?? ''}|${subject}|${day}`;
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Retraining jobs: one process-wide runner (the engine owns it; a headless `retrain --wait`
 * makes its own) over the `jobs` table.
 *
 * Design notes:
 * - The queue lives in SQLite, not in memory: a job queued by a headless `retrain` is picked
 *   up by the console's runner, every process sees the same list, and the list and the logs
 *   survive a restart. Claiming a job checks, in one transaction, that no job of the same
 *   model is running anywhere.
 * - Training runs in a worker thread (runTrainingInWorker). Reading the rows happens here,
 *   paged with yields (trainingRows.ts), because the worker cannot share this connection.
 * - Progress: every epoch is emitted as an event (cheap, for the screen); the row is written
 *   at most every progressWriteMs, plus the first and the last epoch, so a fast job does not
 *   turn into a stream of fsyncs.
 * - Outcomes: cancel stops the worker and discards whatever it produced; an exception or a
 *   worker crash fails the job with its message; neither touches the registry. Only a clean
 *   finish registers the artifact, as a `shadow` version of the same name, in the same
 *   transaction that marks the job done, so a crash cannot leave one without the other.
 * - A job whose process died (running, or queued for that process) is marked `interrupted`
 *   when a runner starts; a process is considered dead when signal 0 cannot reach its pid.
 */
import { isoSeconds, requireTime } from '../core/time.js';
import type { Db } from '../../store/db.js';
import { currentOperator, type AuditInput } from '../../store/audit.js';
import {
  claimNextJob, finishJob, getJob, insertJob, listJobs, markInterrupted, requestCancel, unfinishedJobs, updateJobProgress, appendJobLog,
  cancelRequested, type JobRow, type JobStatus,
} from '../../store/jobs.js';
import { activeModel, findModel, refOf, type ModelInfo } from '../../store/registry.js';
import { latestLoggedVersion } from '../../store/trainingRows.js';
import type { Config } from '../config.js';
import type { ModelArtifact } from '../models/artifact.js';
import type { ModelMetrics, ModelType } from '../models/train.js';
import { runTrainingInWorker, type TrainProgress } from '../models/trainJob.js';
import type { TrainTuning } from '../models/trainSpec.js';
import { loadArtifact, saveArtifact } from '../registry/saveArtifact.js';
import { loadTrainingSet } from './trainingRows.js';
import { pinCbpeReference } from '../compare/cbpeStore.js';
import { CbpeReferenceError } from '../compare/cbpeReference.js';
import { parseTime } from '../core/time.js';
import { flagsByRequest } from '../../store/quality.js';
import { applyViolations, VIOLATION_MODES, type ViolationMode } from '../quality/cleanRows.js';
import { referenceSampler } from '../quality/referenceDraws.js';
import { mulberry32 } from '../util/random.js';

export type { JobStatus } from '../../store/jobs.js';

export class RetrainError extends Error {}

export interface RetrainRequest {
  /** registry name; default: the active model's */
  model?: string;
  /** default: the type of the model the rows were logged by */
  type?: ModelType;
  /** the last N labelled predictions (default cfg.retrain.rows unless a time range is given) */
  rows?: number;
  /** prediction time range: ms or ISO 8601; since inclusive, until exclusive */
  since?: number | string;
  until?: number | string;
  epochs?: number;
  /** more training knobs (tests, benchmarks) */
  tuning?: TrainTuning;
  /** what asked for it: 'operator', 'cli', 'policy:dataset-drift', ... */
  trigger?: string;
  /** rows flagged by the quality checks: trained on as logged, left out, or repaired (default keep) */
  violations?: ViolationMode;
}

/** What the jobs row stores as `spec`. */
export interface JobSpec {
  model: string;
  type: ModelType;
  /** task of the model retrained: the validation metric is AUC for binary, accuracy otherwise */
  task: string;
  rows: number | null;
  since: number | null;
  until: number | null;
  tuning: TrainTuning;
  heldOutShare: number;
  trigger: string;
  operator: string;
  /** absent in jobs queued before it existed: keep */
  violations?: ViolationMode;
}

export interface RetrainMetrics extends ModelMetrics {
  /** rows fitted on (training + validation) and their span */
  trainedRows: number;
  from: string | null;
  until: string | null;
  /** the model the rows were logged by */
  source: string;
  /** true when the metrics are on the gate's held-out rows, false when on the latest fit rows */
  gateHeldOut: boolean;
  /**
   * With --violations exclude|repair: what was done to the flagged rows, and the same
   * held-out metrics of a model trained with the flagged rows kept, so the change shows.
   */
  violations?: { mode: ViolationMode; flagged: number; changed: number; kept: ModelMetrics };
}

export interface JobInfo {
  id: number;
  model: string;
  type: string;
  status: JobStatus;
  spec: JobSpec | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  epoch: number;
  epochs: number;
  loss: number | null;
  valMetric: number | null;
  /** what valMetric is: 'auc' (binary) or 'accuracy' (multiclass) */
  valMetricName: 'auc' | 'accuracy';
  etaSeconds: number | null;
  /** name@version registered on success */
  result: string | null;
  metrics: RetrainMetrics | null;
  error: string | null;
  log: string;
  pid: number | null;
  cancelRequested: boolean;
}

export type JobEvent =
  | { kind: 'status'; job: JobInfo }
  | { kind: 'progress'; id: number; model: string; progress: TrainProgress };

export interface JobRunnerOptions {
  db: Db;
  config: Pick<Config, 'retrain' | 'gate'>;
  operator?: AuditInput;
  /** pid recorded on the jobs this runner owns (default process.pid) */
  pid?: number;
  /** how often the row is updated during training (default 500 ms) */
  progressWriteMs?: number;
  /** how often the table is checked for jobs queued elsewhere and cancel requests (default 1000 ms; 0 = only on poll()) */
  pollMs?: number;
  /** jobs this runner trains at once (default 1: two trainings on two cores starve the console) */
  maxConcurrent?: number;
  /** training knobs applied under each job's own (tests) */
  tuning?: TrainTuning;
  isAlive?: (pid: number) => boolean;
  now?: () => number;
}

export const DEFAULT_RETRAIN_ROWS = 50_000;

/** Signal 0 checks a pid without touching it; EPERM still means it exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** ms from a number or an ISO 8601 string (a date alone means its UTC midnight). */
export function parseTimeArg(value: number | string | undefined, name: string): number | null {
  if (value === undefined) return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RetrainError(`${name} must be a time, not ${value}`);
    return value;
  }
  return requireTime(value, name, (m) => new RetrainError(m));
}

function parseJson<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export function toJobInfo(r: JobRow): JobInfo {
  const spec = parseJson<JobSpec>(r.spec);
  return {
    id: r.id, model: r.model, type: r.type, status: r.status, spec,
    createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
    epoch: r.epoch, epochs: r.epochs, loss: r.loss, valMetric: r.val_metric,
    valMetricName: spec?.task === 'multiclass' ? 'accuracy' : 'auc', etaSeconds: r.eta_seconds,
    result: r.result, metrics: parseJson<RetrainMetrics>(r.metrics), error: r.error, log: r.log, pid: r.pid,
    cancelRequested: r.cancel_requested === 1,
  };
}

const isFinished = (s: JobStatus): boolean => s !== 'queued' && s !== 'running';

/**
 * Checks a request against the registry and writes it as a queued job. `pid` null leaves it
 * to any runner (a headless `retrain` without --wait). Throws RetrainError for a request
 * that can never run (unknown model, bad type or range), so no job row is written for it.
 */
export function enqueueRetrain(db: Db, config: Pick<Config, 'retrain' | 'gate'>, req: RetrainRequest, pid: number | null, operator: AuditInput = currentOperator(), at = Date.now()): number {
  const spec = resolveSpec(db, config, req, operator);
  return insertJob(db, { model: spec.model, type: spec.type, spec: JSON.stringify(spec), pid, at, log: `${stamp(at)} queued (${describeSpec(spec)})\n` });
}

function resolveSpec(db: Db, config: Pick<Config, 'retrain' | 'gate'>, req: RetrainRequest, operator: AuditInput): JobSpec {
  if (req.type !== undefined && req.type !== 'logreg' && req.type !== 'mlp') throw new RetrainError(`the model type must be logreg or mlp, not "${String(req.type)}"`);
  if (req.rows !== undefined && !(Number.isInteger(req.rows) && req.rows > 0)) throw new RetrainError(`rows must be a positive integer, not ${req.rows}`);
  if (req.epochs !== undefined && !(Number.isInteger(req.epochs) && req.epochs > 0)) throw new RetrainError(`epochs must be a positive integer, not ${req.epochs}`);
  if (req.violations !== undefined && !VIOLATION_MODES.includes(req.violations)) throw new RetrainError(`violations must be keep, exclude or repair, not "${String(req.violations)}"`);
  const since = parseTimeArg(req.since, 'since');
  const until = parseTimeArg(req.until, 'until');
  if (since !== null && until !== null && !(since < until)) throw new RetrainError('since must be before until');
  let name = req.model;
  if (name === undefined) {
    const active = activeModel(db);
    if (!active) throw new RetrainError('there is no active model to retrain: train one first, or name one with --model');
    name = active.name;
  }
  if (!findModel(db, name, null)) throw new RetrainError(`no model named "${name}" in the registry`);
  const source = sourceModel(db, name);
  const rows = req.rows ?? (since === null && until === null ? config.retrain.rows ?? DEFAULT_RETRAIN_ROWS : null);
  return {
    model: name,
    type: req.type ?? (source.type as ModelType),
    task: source.task,
    rows,
    since,
    until,
    tuning: { ...req.tuning, ...(req.epochs === undefined ? {} : { epochs: req.epochs }) },
    heldOutShare: config.gate.heldOutShare,
    trigger: req.trigger ?? 'operator',
    operator: operator.operator,
    ...(req.violations && req.violations !== 'keep' ? { violations: req.violations } : {}),
  };
}

function stamp(at: number): string {
  return isoSeconds(at);
}

function describeSpec(s: JobSpec): string {
  const range = [s.since === null ? null : `since ${stamp(s.since)}`, s.until === null ? null : `until ${stamp(s.until)}`].filter(Boolean).join(' ');
  const rows = s.rows === null ? 'all labelled rows' : `last ${s.rows} labelled rows`;
  const flagged = s.violations === 'exclude' ? ', flagged rows left out' : s.violations === 'repair' ? ', flagged values repaired' : '';
  return `${s.type} on the ${rows}${range ? ` ${range}` : ''}${flagged}, by ${s.operator} (${s.trigger})`;
}

/** The version whose logged predictions a retrain of `name` learns from. */
export function sourceModel(db: Db, name: string): ModelInfo {
  const active = activeModel(db);
  if (active && active.name === name) return active;
  const version = latestLoggedVersion(db, name);
  const m = version === null ? findModel(db, name, null) : findModel(db, name, version);
  if (!m) throw new RetrainError(`no model named "${name}" in the registry`);
  return m;
}

interface Running {
  id: number;
  controller: AbortController;
  done: Promise<void>;
}

export class JobRunner {
  readonly pid: number;
  private readonly db: Db;
  private readonly config: Pick<Config, 'retrain' | 'gate'>;
  private readonly operator: AuditInput;
  private readonly progressWriteMs: number;
  private readonly maxConcurrent: number;
  private readonly tuning: TrainTuning;
  private readonly isAlive: (pid: number) => boolean;
  private readonly now: () => number;
  private readonly running = new Map<number, Running>();
  private readonly listeners = new Set<(e: JobEvent) => void>();
  private readonly waiters = new Map<number, Array<(job: JobInfo) => void>>();
  private idleWaiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private pumpScheduled = false;
  private closed = false;

  constructor(options: JobRunnerOptions) {
    this.db = options.db;
    this.config = options.config;
    this.operator = options.operator ?? currentOperator();
    this.pid = options.pid ?? process.pid;
    this.progressWriteMs = options.progressWriteMs ?? 500;
    this.maxConcurrent = options.maxConcurrent ?? 1;
    this.tuning = options.tuning ?? {};
    this.isAlive = options.isAlive ?? processAlive;
    this.now = options.now ?? Date.now;
    this.recover(true);
    const pollMs = options.pollMs ?? 1000;
    if (pollMs > 0) {
      this.timer = setInterval(() => this.poll(), pollMs);
      this.timer.unref();
    }
    this.schedulePump();
  }

  /** Listens to status changes and per-epoch progress; returns the unsubscribe function. */
  subscribe(listener: (e: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues a retrain; it starts as soon as no other job of its model runs. */
  start(req: RetrainRequest = {}): number {
    if (this.closed) throw new RetrainError('the job runner is closed');
    const id = enqueueRetrain(this.db, this.config, req, this.pid, this.operator, this.now());
    this.emitStatus(id);
    this.schedulePump();
    return id;
  }

  /** Cancels a queued or running job (of any process). False when it had already finished. */
  cancel(id: number): boolean {
    const at = this.now();
    const own = this.running.get(id);
    const before = requestCancel(this.db, id, at, `${stamp(at)} cancel requested by ${this.operator.operator}\n`);
    if (before === null) throw new RetrainError(`no job #${id}`);
    if (own) own.controller.abort();
    if (before === 'queued') {
      this.emitStatus(id);
      this.settle(id);
    }
    return before === 'queued' || before === 'running';
  }

  get(id: number): JobInfo | null {
    const r = getJob(this.db, id);
    return r ? toJobInfo(r) : null;
  }

  /** Newest first, for the Retrain screen. */
  list(limit = 100): JobInfo[] {
    return listJobs(this.db, limit).map(toJobInfo);
  }

  /** Jobs this runner is training right now. */
  runningIds(): number[] {
    return [...this.running.keys()];
  }

  /** Resolves with the job once it has finished (whoever runs it). */
  wait(id: number): Promise<JobInfo> {
    const job = this.get(id);
    if (!job) return Promise.reject(new RetrainError(`no job #${id}`));
    if (isFinished(job.status)) return Promise.resolve(job);
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  /** Resolves when this runner trains nothing and has nothing of its own queued. */
  idle(): Promise<void> {
    if (this.running.size === 0 && !this.hasOwnQueued()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Looks for work queued elsewhere, cancel requests from other processes and jobs of dead
   * processes. Called on a timer; the engine may also call it on its own tick.
   */
  poll(): void {
    if (this.closed) return;
    this.recover(false);
    for (const r of this.running.values()) {
      if (!r.controller.signal.aborted && cancelRequested(this.db, r.id)) r.controller.abort();
    }
    for (const id of this.waiters.keys()) {
      if (!this.running.has(id)) this.settle(id);
    }
    this.schedulePump();
  }

  /** Cancels this runner's running jobs, waits for them, and stops polling. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const r of this.running.values()) r.controller.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
    const own = unfinishedJobs(this.db).filter((j) => j.status === 'queued' && j.pid === this.pid).map((j) => j.id);
    if (own.length) {
      const at = this.now();
      markInterrupted(this.db, own, at, `${stamp(at)} the runner closed before this job started\n`);
      for (const id of own) {
        this.emitStatus(id);
        this.settle(id);
      }
    }
  }

  /**
   * Marks jobs of dead processes as interrupted. At construction this process's own pid
   * counts as dead too: a row claiming our pid is from an earlier process that had it.
   */
  private recover(atStart: boolean): void {
    const stale = unfinishedJobs(this.db).filter((j) => {
      if (j.pid === null) return j.status === 'running';
      if (j.pid === this.pid) return atStart;
      return !this.isAlive(j.pid);
    });
    if (stale.length === 0) return;
    const at = this.now();
    markInterrupted(this.db, stale.map((j) => j.id), at, `${stamp(at)} interrupted: the process that ran this job (pid ${stale[0]!.pid ?? '?'}) is gone\n`);
    for (const j of stale) {
      this.emitStatus(j.id);
      this.settle(j.id);
    }
  }

  private hasOwnQueued(): boolean {
    return unfinishedJobs(this.db).some((j) => j.status === 'queued' && j.pid === this.pid);
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.maxConcurrent) {
      const job = claimNextJob(this.db, this.pid, this.now());
      if (!job) break;
      const controller = new AbortController();
      const entry: Running = { id: job.id, controller, done: Promise.resolve() };
      this.running.set(job.id, entry);
      entry.done = this.run(job, controller)
        // Only a store failure while recording the outcome gets here; the row then still says
        // running and the next start marks it interrupted. It must not crash the console.
        .catch(() => {})
        .finally(() => {
          this.running.delete(job.id);
          this.settle(job.id);
          this.schedulePump();
          if (this.running.size === 0) setImmediate(() => this.checkIdle());
        });
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.running.size > 0 || this.hasOwnQueued()) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private async run(job: JobRow, controller: AbortController): Promise<void> {
    const id = job.id;
    const log = (text: string) => appendJobLog(this.db, id, `${stamp(this.now())} ${text}\n`);
    this.emitStatus(id);
    const spec = parseJson<JobSpec>(job.spec);
    try {
      if (!spec) throw new RetrainError('the job spec is not valid JSON');
      log(`started in process ${this.pid}`);
      const source = sourceModel(this.db, spec.model);
      const base = loadArtifact(this.db, source.id);
      const set = await loadTrainingSet(this.db, source, { schema: base.schema, label: base.label }, spec, spec.heldOutShare, { signal: controller.signal });
      const gateHeldOut = set.heldOut.length > 0;
      const span = set.from === null ? '' : ` from ${stamp(set.from)} to ${stamp(set.until!)}`;
      log(`read ${set.read} labelled rows of ${refOf(source)}${span}: ${set.fit.length} to fit, ${set.heldOut.length} held out for the gate (share ${spec.heldOutShare})${set.badLabels ? `, ${set.badLabels} unreadable` : ''}`);
      if (set.fit.length === 0) throw new RetrainError(`no labelled rows of ${refOf(source)} to train on${span || ' in the requested range'}`);
      const mode = spec.violations ?? 'keep';
      let kept: ModelMetrics | null = null;
      let cleaning: { flagged: number; changed: number } | null = null;
      let fitSet = set;
      if (mode !== 'keep') {
        // Flags as the quality checks counted them at ingest (src/quality/checker.ts).
        const cleaned = applyViolations(set.fit, set.fitIds, flagsByRequest(this.db, source.name, source.version), mode,
          new Map(Object.keys(base.schema).flatMap((f) => { const s = referenceSampler(base.profile.columns[f]); return s ? [[f, s] as const] : []; })),
          mulberry32(spec.tuning.seed ?? 42));
        cleaning = { flagged: cleaned.flagged, changed: cleaned.changed };
        log(`${cleaned.flagged} of ${set.fit.length} rows to fit are flagged by the quality rules: ${mode === 'exclude' ? `${cleaned.changed} left out` : `${cleaned.changed} values replaced by draws from ${refOf(source)}'s training data`}`);
        if (cleaned.rows.length === 0) throw new RetrainError('every row to fit is flagged: nothing is left to train on');
        // The same held-out rows judge both, so the difference is what cleaning changed.
        log('training with the flagged rows kept as well, to measure what that changes on the held-out rows');
        const baseline = await this.train(id, job.model, spec, base, set, gateHeldOut, controller);
        kept = baseline.metrics;
        fitSet = { ...set, fit: cleaned.rows };
      }
      const artifact = await this.train(id, job.model, spec, base, fitSet, gateHeldOut, controller);
      if (controller.signal.aborted) throw new DOMException('training was cancelled', 'AbortError');
      if (kept && cleaning) {
        const d = (a: number, b: number) => `${a >= b ? '+' : ''}${(a - b).toFixed(4)}`;
        const m = artifact.metrics;
        log(`held-out rows: flagged rows ${mode === 'exclude' ? 'left out' : 'repaired'} accuracy ${m.accuracy.toFixed(4)}, log loss ${m.logLoss.toFixed(4)}; kept accuracy ${kept.accuracy.toFixed(4)}, log loss ${kept.logLoss.toFixed(4)} (accuracy ${d(m.accuracy, kept.accuracy)}, log loss ${d(m.logLoss, kept.logLoss)})`);
      }
      const at = this.now();
      this.db.transaction(() => {
        const saved = saveArtifact(this.db, spec.model, artifact, this.operator, 'shadow');
        const metrics: RetrainMetrics = {
          ...artifact.metrics,
          trainedRows: artifact.trainedOn.rows,
          from: artifact.trainedOn.from ?? null,
          until: artifact.trainedOn.until ?? null,
          source: refOf(source),
          gateHeldOut,
          ...(kept && cleaning ? { violations: { mode, ...cleaning, kept } } : {}),
        };
        const m = artifact.metrics;
        const line = `${stamp(at)} registered ${refOf(saved)} as shadow: held-out accuracy ${m.accuracy.toFixed(4)}, log loss ${m.logLoss.toFixed(4)}${m.auc === undefined ? '' : `, AUC ${m.auc.toFixed(4)}`} on ${m.rows} rows\n`;
        finishJob(this.db, id, 'done', at, { result: refOf(saved), metrics: JSON.stringify(metrics), logAppend: line });
      }).immediate();
      this.shareReference(source, base, artifact, log);
    } catch (e) {
      const at = this.now();
      const err = e instanceof Error ? e : new Error(String(e));
      if (err.name === 'AbortError' || controller.signal.aborted) {
        finishJob(this.db, id, 'cancelled', at, { logAppend: `${stamp(at)} cancelled; nothing was registered\n` });
      } else {
        const message = err.message.split('\n')[0]!.trim() || err.name;
        finishJob(this.db, id, 'failed', at, { error: message, logAppend: `${stamp(at)} failed: ${message}\n` });
      }
    }
    this.emitStatus(id);
  }

  /**
   * Puts the model the rows came from on the candidate's CBPE reference period, so the two
   * estimates the Shadow screen and the label-free choice compare stand on one reference.
   * CBPE assumes P(label | score) is what it was on the reference (NannyML: no concept drift);
   * the error it makes is the label shift between reference and window, and two models
   * calibrated on different periods differ by their periods' label rates as much as by skill:
   * on the flights incident the candidate (reference March 1–7, storms on 03-01, 03-02, 03-04)
   * ran 4.4 points below its realised accuracy and the January model 0.6 above, and the
   * ranking followed the weekday. On one period the shared error cancels in the difference.
   * Pinned (audited as reference-set, src/compare/cbpeStore.ts) only when the source never
   * trained on that period; a failure leaves the source's reference as it was.
   */
  private shareReference(source: ModelInfo, base: ModelArtifact, candidate: ModelArtifact, log: (text: string) => void): void {
    const ref = candidate.cbpe;
    if (!ref || ref.from === null || ref.until === null) return;
    const trainedFrom = base.trainedOn.from === undefined ? null : parseTime(base.trainedOn.from);
    const trainedUntil = base.trainedOn.until === undefined ? null : parseTime(base.trainedOn.until);
    if (trainedFrom !== null && trainedUntil !== null && trainedFrom <= ref.until && ref.from <= trainedUntil) {
      log(`${refOf(source)} keeps its CBPE reference: it was trained on part of the candidate's reference period`);
      return;
    }
    try {
      const pinned = pinCbpeReference(this.db, refOf(source), ref.from, ref.until + 1, this.operator, base);
      log(`${refOf(source)}'s CBPE reference is now the candidate's period (${pinned.reference.rows} labelled rows), so both estimates stand on one reference`);
    } catch (e) {
      // The candidate is registered whatever happens here: a reference is an estimate's footing, not the job's result.
      log(`${refOf(source)} keeps its CBPE reference: ${e instanceof CbpeReferenceError ? e.message : String(e)}`);
    }
  }

  private async train(
    id: number, model: string, spec: JobSpec, base: ModelArtifact,
    set: Awaited<ReturnType<typeof loadTrainingSet>>, gateHeldOut: boolean, controller: AbortController,
  ): Promise<ModelArtifact> {
    let lastWrite = -Infinity;
    let pendingLog = '';
    const onProgress = (p: TrainProgress) => {
      this.emit({ kind: 'progress', id, model, progress: p });
      const at = this.now();
      if (p.phase !== 'epoch') {
        if (p.phase === 'training') appendJobLog(this.db, id, `${stamp(at)} training ${spec.type} on ${p.rows} rows, features ${p.features.join(', ')}\n`);
        return;
      }
      pendingLog += `${stamp(at)} epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)} val loss ${p.valLoss.toFixed(4)} val metric ${p.valMetric.toFixed(4)}\n`;
      const last = p.epoch === p.epochs || p.etaSeconds === 0;
      if (p.epoch === 1 || last || at - lastWrite >= this.progressWriteMs) {
        lastWrite = at;
        const cancel = updateJobProgress(this.db, id, { epoch: p.epoch, epochs: p.epochs, loss: finite(p.loss), valMetric: finite(p.valMetric), etaSeconds: finite(p.etaSeconds) }, pendingLog);
        pendingLog = '';
        if (cancel) controller.abort();
      }
    };
    try {
      return await runTrainingInWorker({
        type: spec.type,
        label: base.label,
        time: set.timeKey,
        rows: set.fit,
        schema: base.schema,
        // Without held-out rows in the span (share 0), trainArtifact holds out the latest rows itself.
        holdout: gateHeldOut ? set.heldOut : undefined,
        tuning: { ...this.tuning, ...spec.tuning },
      }, { onProgress, signal: controller.signal });
    } finally {
      if (pendingLog) appendJobLog(this.db, id, pendingLog);
    }
  }

  private emit(e: JobEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's bug must not fail a training job.
      }
    }
  }

  private emitStatus(id: number): void {
    if (this.listeners.size === 0) return;
    const job = this.get(id);
    if (job) this.emit({ kind: 'status', job });
  }

  private settle(id: number): void {
    const list = this.waiters.get(id);
    if (!list) return;
    const job = this.get(id);
    if (!job || !isFinished(job.status)) return;
    this.waiters.delete(id);
    for (const f of list) f(job);
  }
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Retraining jobs as rows, so they and their logs survive a restart and every process sees
 * the same queue. A job is queued with pid NULL when any runner may take it (a headless
 * `retrain` without --wait), or with the pid of the process that will run it. Claiming is one
 * IMMEDIATE transaction that also checks no job of the same model is running, so a console
 * and a headless `retrain --wait` never train the same model at once.
 */
import type { Db } from './db.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export const FINISHED: readonly JobStatus[] = ['done', 'failed', 'cancelled', 'interrupted'];

/** The log keeps its last LOG_MAX_CHARS characters: a long job cannot grow a row without bound. */
export const LOG_MAX_CHARS = 16_000;

export interface JobRow {
  id: number;
  model: string;
  type: string;
  status: JobStatus;
  spec: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  epoch: number;
  epochs: number;
  loss: number | null;
  val_metric: number | null;
  eta_seconds: number | null;
  result: string | null;
  metrics: string | null;
  error: string | null;
  log: string;
  pid: number | null;
  cancel_requested: number;
}

const COLUMNS = 'id, model, type, status, spec, created_at, started_at, finished_at, epoch, epochs, loss, val_metric, eta_seconds, result, metrics, error, log, pid, cancel_requested';

export function insertJob(db: Db, job: { model: string; type: string; spec: string; pid: number | null; at: number; log?: string }): number {
  const r = db.prepare("INSERT INTO jobs (model, type, status, spec, created_at, pid, log) VALUES (?, ?, 'queued', ?, ?, ?, ?)")
    .run(job.model, job.type, job.spec, job.at, job.pid, job.log ?? '');
  return Number(r.lastInsertRowid);
}

export function getJob(db: Db, id: number): JobRow | null {
  return (db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`).get(id) as JobRow | undefined) ?? null;
}

/** Newest first: what the Retrain screen lists. */
export function listJobs(db: Db, limit = 100): JobRow[] {
  return db.prepare(`SELECT ${COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?`).all(limit) as JobRow[];
}

/** Jobs some process claims to be running or to be about to run. */
export function unfinishedJobs(db: Db): JobRow[] {
  return db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE status IN ('queued', 'running') ORDER BY id`).all() as JobRow[];
}

/**
 * Takes the oldest queued job this process may run (its own, or one left for any runner)
 * whose model has no running job, and marks it running under `pid`.
 */
export function claimNextJob(db: Db, pid: number, at: number): JobRow | null {
  const tx = db.transaction((): JobRow | null => {
    const next = db.prepare(`SELECT ${COLUMNS} FROM jobs j WHERE status = 'queued' AND (pid IS NULL OR pid = ?)
      AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.status = 'running' AND r.model = j.model) ORDER BY id LIMIT 1`).get(pid) as JobRow | undefined;
    if (!next) return null;
    db.prepare("UPDATE jobs SET status = 'running', pid = ?, started_at = ? WHERE id = ?").run(pid, at, next.id);
    return { ...next, status: 'running', pid, started_at: at };
  });
  return tx.immediate();
}

export interface JobProgress {
  epoch: number;
  epochs: number;
  loss: number | null;
  valMetric: number | null;
  etaSeconds: number | null;
}

/** Writes progress and appends to the log; returns whether another process asked for a cancel. */
export function updateJobProgress(db: Db, id: number, p: JobProgress, logAppend: string): boolean {
  db.prepare(`UPDATE jobs SET epoch = ?, epochs = ?, loss = ?, val_metric = ?, eta_seconds = ?,
    log = substr(log || ?, -${LOG_MAX_CHARS}) WHERE id = ?`).run(p.epoch, p.epochs, p.loss, p.valMetric, p.etaSeconds, logAppend, id);
  return cancelRequested(db, id);
}

export function appendJobLog(db: Db, id: number, text: string): void {
  db.prepare(`UPDATE jobs SET log = substr(log || ?, -${LOG_MAX_CHARS}) WHERE id = ?`).run(text, id);
}

export function cancelRequested(db: Db, id: number): boolean {
  return (db.prepare('SELECT cancel_requested FROM jobs WHERE id = ?').pluck().get(id) as number | undefined) === 1;
}

/** Ends a running (or queued) job; a job already finished keeps its first outcome. */
export function finishJob(
  db: Db, id: number, status: Exclude<JobStatus, 'queued' | 'running'>, at: number,
  outcome: { result?: string | null; metrics?: string | null; error?: string | null; logAppend?: string },
): boolean {
  const r = db.prepare(`UPDATE jobs SET status = ?, finished_at = ?, result = ?, metrics = ?, error = ?, eta_seconds = NULL,
    log = substr(log || ?, -${LOG_MAX_CHARS}) WHERE id = ? AND status IN ('queued', 'running')`)
    .run(status, at, outcome.result ?? null, outcome.metrics ?? null, outcome.error ?? null, outcome.logAppend ?? '', id);
  return r.changes === 1;
}

/**
 * Cancel from any process: a queued job is cancelled at once; a running one gets a flag its
 * owner polls. Returns the status the job had, or null when there is no such job.
 */
export function requestCancel(db: Db, id: number, at: number, note: string): JobStatus | null {
  const tx = db.transaction((): JobStatus | null => {
    const status = db.prepare('SELECT status FROM jobs WHERE id = ?').pluck().get(id) as JobStatus | undefined;
    if (status === undefined) return null;
    if (status === 'queued') {
      db.prepare(`UPDATE jobs SET status = 'cancelled', finished_at = ?, log = substr(log || ?, -${LOG_MAX_CHARS}) WHERE id = ?`).run(at, note, id);
    } else if (status === 'running') {
      db.prepare(`UPDATE jobs SET cancel_requested = 1, log = substr(log || ?, -${LOG_MAX_CHARS}) WHERE id = ?`).run(note, id);
    }
    return status;
  });
  return tx.immediate();
}

/** Marks jobs whose process is gone as interrupted (only if they are still unfinished). */
export function markInterrupted(db: Db, ids: readonly number[], at: number, note: string): number {
  const stmt = db.prepare(`UPDATE jobs SET status = 'interrupted', finished_at = ?, eta_seconds = NULL,
    error = coalesce(error, 'the process running this job ended before it finished'),
    log = substr(log || ?, -${LOG_MAX_CHARS}) WHERE id = ? AND status IN ('queued', 'running')`);
  let n = 0;
  db.transaction(() => {
    for (const id of ids) n += stmt.run(at, note, id).changes;
  }).immediate();
  return n;
}

/**
 * When retrains were asked for since `from` (ms), oldest first: every job, whoever started it
 * (console, CLI, policy), except one cancelled before it ran. The retrain policy's cooldown
 * and daily maximum count these, so a retrain started in another process counts too.
 */
export function retrainTimesSince(db: Db, from: number): number[] {
  const rows = db.prepare("SELECT created_at AS at FROM jobs WHERE created_at >= ? AND NOT (status = 'cancelled' AND started_at IS NULL) ORDER BY created_at")
    .all(from) as Array<{ at: number }>;
  return rows.map((r) => r.at);
}

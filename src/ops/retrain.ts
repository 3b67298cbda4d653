/**
 * Retrain jobs: start, cancel, list, and the retrain policy's view of them. Every retrain —
 * started from the console, the CLI or the policy — is a row of the jobs table, and the
 * policy's cooldown and daily maximum count those rows (syncPolicy), so a retrain an operator
 * starts anywhere holds back the next automatic one.
 */
import { listJobs, requestCancel, retrainTimesSince, type JobStatus } from '../../store/jobs.js';
import { enqueueRetrain, RetrainError, toJobInfo, type JobInfo, type JobRunner, type RetrainRequest } from '../retrain/jobRunner.js';
import type { RetrainPolicy } from '../retrain/policy.js';
import { isoTime } from '../core/time.js';
import { OpsInputError, type OpsContext } from './context.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Queues a retrain. With a runner (the console's, or `retrain --wait`'s) that runner claims it;
 * without one any running console picks it up. Returns the job id.
 */
export function startRetrain(ctx: OpsContext, req: RetrainRequest, runner?: JobRunner): number {
  try {
    return runner ? runner.start(req) : enqueueRetrain(ctx.db, ctx.cfg, req, null, ctx.operator);
  } catch (e) {
    if (e instanceof RetrainError) throw new OpsInputError(e.message);
    throw e;
  }
}

/** Cancels a queued or running job; returns its status before (null: no such job). */
export function cancelRetrain(ctx: OpsContext, id: number, runner?: JobRunner): JobStatus | null {
  if (runner) {
    try {
      return runner.cancel(id) ? 'running' : 'done';
    } catch (e) {
      if (e instanceof RetrainError) return null;
      throw e;
    }
  }
  return requestCancel(ctx.db, id, Date.now(), `${isoTime(Date.now())} cancel requested by ${ctx.operator.operator}\n`);
}

export function listRetrains(ctx: OpsContext, limit = 50): JobInfo[] {
  return listJobs(ctx.db, limit).map(toJobInfo);
}

/** Feeds the retrains of the last day (any process) into the policy before it decides. */
export function syncPolicy(ctx: OpsContext, policy: RetrainPolicy, now: number): void {
  policy.observe(retrainTimesSince(ctx.db, now - DAY_MS));
}

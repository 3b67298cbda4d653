/**
 * When to retrain on its own, from cfg.retrain. Pure: every call takes the time it is about,
 * so the engine may drive it with wall-clock time (live) or event time (a replay of 2001),
 * and tests with explicit instants.
 *
 * Triggers (any of them):
 *  - dataset drift: the window verdict is "drifted" for onDatasetDriftWindows consecutive
 *    windows (0 = off); the run restarts after a retrain fires, so persisting drift asks
 *    again only after as many more windows;
 *  - a concept-drift detector fires (onDetector);
 *  - schedule: scheduleHours since the last retrain (or since the policy first saw time).
 * Limits: no retrain within cooldownMinutes of the last one, and at most maxPerDay in any
 * 24 hours (rolling). A trigger inside a limit is reported as suppressed, so the operator sees
 * why nothing started; a suppressed drift run keeps counting and fires once the limit lifts.
 * autoPromote is only carried in the decision: off by default, the gate decides and the
 * operator confirms; on, the operations layer promotes the candidate through the gate the first
 * time its held-out labels let the gate judge it (src/engine/operations.ts, checkGates).
 */
import type { Config } from '../config.js';

export type RetrainTrigger = 'dataset-drift' | 'detector' | 'schedule';

export interface RetrainDecision {
  /** true: start a retrain now */
  retrain: boolean;
  trigger: RetrainTrigger;
  at: number;
  /** why, in one sentence for the Events screen */
  reason: string;
  /** set when a trigger held but a limit held it back */
  suppressed?: 'cooldown' | 'daily-limit';
  /** promote without the operator when the gate passes the result */
  autoPromote: boolean;
}

export interface RetrainPolicyState {
  /** instants (ms) of the retrains fired in the last 24 hours */
  fired: number[];
  driftRun: number;
  /** schedule anchor: last retrain, or the first time the policy saw */
  scheduleFrom: number | null;
}

export type RetrainPolicyConfig = Pick<Config['retrain'], 'onDatasetDriftWindows' | 'onDetector' | 'scheduleHours' | 'cooldownMinutes' | 'maxPerDay' | 'autoPromote'>;

const DAY_MS = 24 * 3600 * 1000;

export class RetrainPolicy {
  private state: RetrainPolicyState;

  constructor(private readonly cfg: RetrainPolicyConfig, state?: RetrainPolicyState) {
    this.state = state ? { fired: [...state.fired], driftRun: state.driftRun, scheduleFrom: state.scheduleFrom } : { fired: [], driftRun: 0, scheduleFrom: null };
  }

  toJSON(): RetrainPolicyState {
    return { fired: [...this.state.fired], driftRun: this.state.driftRun, scheduleFrom: this.state.scheduleFrom };
  }

  /** The dataset-drift verdict of one closed window. */
  onWindow(drifted: boolean, at: number): RetrainDecision | null {
    const k = this.cfg.onDatasetDriftWindows;
    this.state.driftRun = drifted ? this.state.driftRun + 1 : 0;
    if (!(k > 0) || this.state.driftRun < k) return null;
    const n = this.state.driftRun;
    return this.decide('dataset-drift', at, `dataset drift in ${n} consecutive window${n === 1 ? '' : 's'} (policy: ${k})`);
  }

  /** A concept-drift detector (Page–Hinkley, ADWIN, DDM) fired. */
  onDetector(at: number, detector = 'a concept-drift detector'): RetrainDecision | null {
    if (!this.cfg.onDetector) return null;
    return this.decide('detector', at, `${detector} fired`);
  }

  /** The schedule; call it on the engine's tick. */
  tick(now: number): RetrainDecision | null {
    const hours = this.cfg.scheduleHours;
    if (!(hours > 0)) return null;
    if (this.state.scheduleFrom === null) {
      this.state.scheduleFrom = now;
      return null;
    }
    if (now - this.state.scheduleFrom < hours * 3600 * 1000) return null;
    const decision = this.decide('schedule', now, `scheduled every ${hours} h`);
    // A suppressed schedule waits a full period again rather than asking on every tick.
    if (!decision.retrain) this.state.scheduleFrom = now;
    return decision;
  }

  /** Counts a retrain started by hand against the cooldown and the daily maximum. */
  record(at: number): void {
    this.fire(at);
  }

  /**
   * The retrains the store knows of (jobs of any process: console, CLI, this policy), oldest
   * first. They replace what this policy remembers firing, so a retrain an operator started
   * anywhere counts against the cooldown and the daily maximum, and none counts twice.
   */
  observe(times: readonly number[]): void {
    const before = this.state.fired[this.state.fired.length - 1];
    this.state.fired = [...times].sort((x, y) => x - y);
    const newest = this.state.fired[this.state.fired.length - 1];
    if (newest !== undefined && (before === undefined || newest > before)) {
      this.state.driftRun = 0;
      this.state.scheduleFrom = newest;
    }
  }

  /** ms until the cooldown lets a retrain start, 0 when it does now. */
  cooldownLeft(now: number): number {
    const last = this.state.fired[this.state.fired.length - 1];
    if (last === undefined) return 0;
    return Math.max(0, last + this.cfg.cooldownMinutes * 60_000 - now);
  }

  private decide(trigger: RetrainTrigger, at: number, why: string): RetrainDecision {
    this.state.fired = this.state.fired.filter((t) => t > at - DAY_MS);
    const autoPromote = this.cfg.autoPromote;
    const wait = this.cooldownLeft(at);
    if (wait > 0) {
      return { retrain: false, trigger, at, autoPromote, suppressed: 'cooldown', reason: `${why}; no retrain: cooldown for another ${Math.ceil(wait / 60_000)} min` };
    }
    if (this.state.fired.length >= this.cfg.maxPerDay) {
      return { retrain: false, trigger, at, autoPromote, suppressed: 'daily-limit', reason: `${why}; no retrain: ${this.state.fired.length} in the last 24 h (maximum ${this.cfg.maxPerDay})` };
    }
    this.fire(at);
    return { retrain: true, trigger, at, autoPromote, reason: `${why}: retrain` };
  }

  private fire(at: number): void {
    this.state.fired = [...this.state.fired.filter((t) => t > at - DAY_MS), at];
    this.state.driftRun = 0;
    this.state.scheduleFrom = at;
  }
}

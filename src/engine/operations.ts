/**
 * What the console can ask of the engine (promote, rollback, retrain, cancel),
 * and the retrain policy that may ask for a retrain on its own. Everything
 * that changes the registry goes through src/registry/switch.ts, so the
 * console, the headless commands and the policy share one gate and one audit.
 */
import type { Engine } from './engine.js';
import type { PairRefs } from '../core/pair.js';
import type { CommandResult, EngineCommands, GateReport, PaceCommand, RetrainOptions, Snapshot } from './snapshot.js';
import { DemoPacer } from './demoPacer.js';
import type { Config } from '../config.js';
import { gatePreview, promoteWithGate, rollback } from '../registry/switch.js';
import { JobRunner, type JobInfo } from '../retrain/jobRunner.js';
import { toSnapshotJob } from '../retrain/jobView.js';
import { RetrainPolicy, type RetrainDecision } from '../retrain/policy.js';
import { appendAudit, currentOperator, type AuditInput } from '../../store/audit.js';
import { readGateState } from '../../store/gateState.js';
import { gateRowsNeeded, parseCondition, rowsNeeded, type GateCondition } from '../compare/gate.js';

import { decideRollback, decideSwitch, type PolicySwitch } from '../compare/autoChoose.js';
import { parseDuration } from '../core/time.js';

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** What the demo adds: the replay's control file and when its incident starts. */
export interface DemoOptions {
  control: string;
  incidentFrom: number | null;
}

export class Operations implements EngineCommands {
  readonly runner: JobRunner;
  private readonly pacer: DemoPacer | null;
  readonly policy: RetrainPolicy;
  private readonly operator: AuditInput;
  private readonly condition: GateCondition | null;
  private tickTimer: NodeJS.Timeout | null = null;
  /** choose.auto: the window of the last switch decided, the last policy switch, a switch under way. */
  private lastChosenWindow: number | null = null;
  private policySwitch: PolicySwitch | null = null;
  private choosing = false;
  private readonly windowMs: number;
  private readonly autoPromoteJobs = new Set<number>();

  constructor(private readonly engine: Engine, private readonly cfg: Config, demo: DemoOptions | null = null) {
    this.operator = currentOperator();
    this.pacer = demo ? new DemoPacer({ ...demo, gatePreview: (t) => this.gatePreview(t) }) : null;
    this.runner = new JobRunner({ db: engine.db, config: cfg, operator: this.operator });
    this.policy = new RetrainPolicy(cfg.retrain);
    this.windowMs = parseDuration(cfg.drift.window);
    let condition: GateCondition | null = null;
    try { condition = parseCondition(cfg.gate.condition); } catch { condition = null; }
    this.condition = condition;
    engine.decorate = (s) => this.decorate(s);
    engine.on('window', ({ window }: { window: { datasetDrifted: boolean } }) => this.act(this.policy.onWindow(window.datasetDrifted, Date.now())));
    engine.on('detector', (detector: string) => this.act(this.policy.onDetector(Date.now(), detector)));
    this.runner.subscribe((e) => {
      if (e.kind === 'status') this.jobChanged(e.job);
      engine.kick();
    });
    this.tickTimer = setInterval(() => this.act(this.policy.tick(Date.now())), 60_000);
    this.tickTimer.unref();
  }

  close(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.runner.close();
  }

  private act(d: RetrainDecision | null): void {
    if (d === null) return;
    appendAudit(this.engine.db, { operator: 'policy', client: null, action: d.retrain ? 'policy-retrain' : 'policy-held', subject: d.trigger, before: null, after: null, details: d.reason });
    if (!d.retrain) return;
    try {
      const id = this.runner.start({ trigger: `policy:${d.trigger}` });
      if (d.autoPromote) this.autoPromoteJobs.add(id);
    } catch (e) {
      this.engine.emit('error', e);
    }
  }

  private jobChanged(job: JobInfo): void {
    if (job.status === 'failed') {
      // A failed retrain needs a person (issue 12: page); it is dated now, not by event time.
      this.engine.raiseAlert('retrain-failed', job.model, 'page', `retrain job ${job.id} of ${job.model} failed: ${job.error ?? 'no reason given'}`, Date.now());
    }
    if (job.status === 'done') this.engine.resolveAlert('retrain-failed', job.model, `retrain job ${job.id} succeeded`);
    if (job.status !== 'done' || !this.autoPromoteJobs.has(job.id) || job.result === null) return;
    this.autoPromoteJobs.delete(job.id);
    void promoteWithGate(this.engine.db, job.result, this.cfg, { operator: { operator: 'policy', client: null } }).catch((e) => this.engine.emit('error', e));
  }

  /**
   * The opt-in label-free switching policy (choose.auto): decided on each snapshot, carried out
   * through the registry's promote and rollback, audited as operator `policy`.
   */
  private chooseAuto(s: Snapshot): void {
    const c = this.cfg.choose;
    if (!c?.auto || this.choosing) return;
    const active = s.models.find((m) => m.alias === 'active');
    const activeRef = active ? `${active.name}@${active.version}` : null;
    const back = decideRollback(c, s.estimates, this.policySwitch);
    const d = back ?? decideSwitch(c, s.choices, activeRef, this.lastChosenWindow);
    if (!d) return;
    const policy = { operator: { operator: 'policy', client: null } };
    this.choosing = true;
    const done = (): void => { this.choosing = false; this.engine.kick(); };
    if (d.action === 'switch') {
      this.lastChosenWindow = d.window;
      appendAudit(this.engine.db, { operator: 'policy', client: null, action: 'policy-choose', subject: d.to, before: d.from, after: d.to, details: d.reason });
      void promoteWithGate(this.engine.db, d.to, this.cfg, { ...policy, force: true })
        .then(() => { this.policySwitch = { from: d.from, to: d.to, since: d.window + this.windowMs, rolledBack: false }; })
        .catch((e) => this.engine.emit('error', e)).finally(done);
    } else {
      appendAudit(this.engine.db, { operator: 'policy', client: null, action: 'policy-rollback', subject: d.to, before: d.from, after: d.to, details: d.reason });
      this.policySwitch = { ...this.policySwitch!, rolledBack: true };
      void rollback(this.engine.db, undefined, this.cfg, policy).catch((e) => this.engine.emit('error', e)).finally(done);
    }
  }

  private decorate(s: Snapshot): void {
    this.chooseAuto(s);
    s.jobs = this.runner.list(50).map(toSnapshotJob);
    for (const p of s.pairs) {
      const st = readGateState(this.engine.db, p.candidate, p.active);
      p.gate = {
        remaining: Math.max(0, this.cfg.gate.evaluations - st.evaluationsUsed),
        allowed: this.cfg.gate.evaluations,
        needRows: this.needRows(p),
        haveRows: this.engine.heldOutPairs(p),
      };
    }
    if (this.pacer) {
      this.pacer.observe(s);
      s.demo = this.pacer.view();
    }
  }

  /**
   * Held-out rows the gate condition needs. The variance-aware bound depends on
   * how often the two models disagree, estimated here from all labelled pairs
   * seen (the gate itself uses the held-out rows only).
   */
  private needRows(pair: PairRefs): number {
    if (this.condition === null) return 0;
    const { reliability, evaluations } = this.cfg.gate;
    const bound = this.cfg.gate.bound ?? 'hoeffding';
    const lab = this.engine.labelledComparison(pair);
    try {
      if (lab && lab.labelled >= 100) {
        return gateRowsNeeded(this.condition, { n: lab.accuracyA, o: lab.accuracyB, rows: lab.labelled, discordant: lab.discordant }, reliability, evaluations, { bound });
      }
      return rowsNeeded(this.condition, reliability, evaluations, 'none', bound);
    } catch {
      return 0;
    }
  }

  async promote(target: string, opts: { force?: boolean } = {}): Promise<CommandResult> {
    try {
      const o = await promoteWithGate(this.engine.db, target, this.cfg, { force: opts.force === true, operator: this.operator });
      this.engine.kick();
      return { ok: o.changed, message: o.message };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  }

  async rollback(name?: string): Promise<CommandResult> {
    try {
      const o = await rollback(this.engine.db, name, this.cfg, { operator: this.operator });
      this.engine.kick();
      return { ok: o.changed, message: o.message };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  }

  async gatePreview(target: string): Promise<GateReport> {
    try {
      return gatePreview(this.engine.db, target, this.cfg);
    } catch (e) {
      return { target, active: null, status: 'error', figures: null, message: errorMessage(e) };
    }
  }

  async retrain(opts: RetrainOptions = {}): Promise<CommandResult> {
    try {
      const id = this.runner.start({ model: opts.model, type: opts.type, rows: opts.rows, trigger: 'operator' });
      this.engine.kick();
      return { ok: true, message: `retrain job ${id} started` };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  }

  async pace(cmd: PaceCommand): Promise<CommandResult> {
    if (!this.pacer) return { ok: false, message: 'no replay to pace: space, + and - work in the demo (mlops-tui demo)' };
    const r = this.pacer.pace(cmd);
    this.engine.kick();
    return r;
  }

  async ackAlert(id: string): Promise<CommandResult> {
    const n = Number(id);
    if (!Number.isInteger(n)) return { ok: false, message: `no alert ${id}` };
    const r = this.engine.acknowledgeAlert(n, this.operator);
    this.engine.kick();
    return r;
  }

  async cancelJob(id: string): Promise<CommandResult> {
    const ok = this.runner.cancel(Number(id));
    this.engine.kick();
    return { ok, message: ok ? `job ${id} is being cancelled` : `job ${id} is not running or queued` };
  }
}

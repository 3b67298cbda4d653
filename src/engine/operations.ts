/**
 * The console's side of the one command layer: what the console can ask of the engine
 * (promote, rollback, gate preview, retrain, cancel) goes to the same src/ops functions the
 * CLI commands call, and the retrain policy that may ask for a retrain on its own counts every
 * retrain in the store (console, CLI or policy) against its cooldown and daily maximum.
 */
import type { Engine } from './engine.js';
import type { CommandResult, EngineCommands, GateReport, PaceCommand, ReferenceSuggestion, RetrainOptions, Snapshot } from './snapshot.js';
import { DemoPacer } from './demoPacer.js';
import type { Config } from '../config.js';
import { JobRunner, type JobInfo } from '../retrain/jobRunner.js';
import { RetrainPolicy, type RetrainDecision } from '../retrain/policy.js';
import { appendAudit, currentOperator } from '../../store/audit.js';
import { readChoosePolicy, recordPolicyDecision, writeChoosePolicy } from '../../store/choosePolicy.js';
import { activeModel, findModel, parseRef, refOf } from '../../store/registry.js';
import { listEpisodes } from '../../store/alertEpisodes.js';
import type { OpsContext } from '../ops/context.js';
import { gatePreview, promote, rollback } from '../ops/switching.js';
import { cancelRetrain, listRetrains, startRetrain, syncPolicy } from '../ops/retrain.js';
import { decorateSnapshot } from '../ops/snapshot.js';
import { exportRowsToFile } from '../ops/quality.js';
import { hostsReport } from '../ops/hosts.js';
import { decideRollback, decideSwitch, type PolicySwitch } from '../compare/autoChoose.js';
import { formatMinute, parseDuration } from '../core/time.js';
import { pinReference, suggestReference } from '../ops/reference.js';

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** What the demo adds: the replay's control file and when its incident starts. */
export interface DemoOptions {
  control: string;
  incidentFrom: number | null;
}

export class Operations implements EngineCommands {
  readonly runner: JobRunner;
  readonly policy: RetrainPolicy;
  private readonly ctx: OpsContext;
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly autoPromoteJobs = new Set<number>();
  /**
   * Retrained candidates waiting for their gate's first verdict (enough held-out labels), and
   * those of them the retrain policy may promote itself (retrain.autoPromote).
   */
  private readonly gateWatch = new Set<string>();
  private readonly autoPromote = new Set<string>();
  private readonly pacer: DemoPacer | null;
  // choose.auto (issue 12): the label-free switching policy's memory, kept in the store
  // (store/choosePolicy.ts) so a restart neither switches twice nor forgets a rollback to watch
  private lastChosenWindow: number | null;
  private policySwitch: PolicySwitch | null;
  private choosing = false;
  private readonly windowMs: number;

  constructor(private readonly engine: Engine, private readonly cfg: Config, demo: DemoOptions | null = null) {
    this.ctx = { db: engine.db, cfg, operator: currentOperator() };
    this.pacer = demo ? new DemoPacer({ ...demo, gatePreview: (t) => this.gatePreview(t) }) : null;
    this.windowMs = parseDuration(cfg.drift.window);
    const remembered = readChoosePolicy(engine.db);
    this.lastChosenWindow = remembered.lastDecidedWindow;
    this.policySwitch = remembered.lastSwitch;
    this.runner = new JobRunner({ db: engine.db, config: cfg, operator: this.ctx.operator });
    this.policy = new RetrainPolicy(cfg.retrain);
    engine.decorate = (s: Snapshot) => {
      this.chooseAuto(s);
      this.hostDrift(s);
      this.resolveGateEpisodes(s);
      decorateSnapshot(this.ctx, engine, s);
      if (this.pacer) {
        this.pacer.observe(s);
        s.demo = this.pacer.view();
      }
    };
    engine.on('window', ({ window }: { window: { datasetDrifted: boolean } }) => {
      this.decide((now) => this.policy.onWindow(window.datasetDrifted, now));
      this.checkGates();
    });
    this.seedGateWatch();
    engine.on('detector', (detector: string) => this.decide((now) => this.policy.onDetector(now, detector)));
    this.runner.subscribe((e) => {
      if (e.kind === 'status') this.jobChanged(e.job);
      engine.kick();
    });
    this.tickTimer = setInterval(() => this.decide((now) => this.policy.tick(now)), 60_000);
    this.tickTimer.unref();
  }

  /** The console's host filter: only what the screens draw changes (src/engine/hostLens.ts). */
  async setHost(host: string | null): Promise<CommandResult> {
    return this.engine.setHost(host);
  }

  /**
   * Which replica differs, for the Hosts screen: the `hosts` command's computation
   * (src/ops/hosts.ts) on each host's last 2,000 predictions among the last 200,000 stored,
   * every 30 s, and only once two hosts have sent lines (one host has nothing to compare).
   */
  private hostDriftAt = 0;
  private hostDrift(s: Snapshot): void {
    const now = Date.now();
    if ((s.hosts?.list.length ?? 0) < 2 || now - this.hostDriftAt < 30_000) return;
    this.hostDriftAt = now;
    try {
      const rows = 2000;
      const r = hostsReport(this.engine.db, { rows, afterId: Math.max(0, this.engine.cursors.predictions - 200_000) });
      this.engine.hostDrift = { drift: r.drift, driftAt: now, driftRows: rows };
      if (s.hosts) Object.assign(s.hosts, this.engine.hostDrift);
    } catch (e) {
      s.problem = s.problem ?? `hosts: ${errorMessage(e)}`;
    }
  }

  close(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.runner.close();
  }

  /** A policy decision, after the policy has seen every retrain in the store. */
  private decide(ask: (now: number) => RetrainDecision | null): void {
    const now = Date.now();
    try {
      syncPolicy(this.ctx, this.policy, now);
    } catch (e) {
      this.engine.emit('error', e);
    }
    this.act(ask(now));
  }

  private act(d: RetrainDecision | null): void {
    if (d === null) return;
    appendAudit(this.engine.db, { operator: 'policy', client: null, action: d.retrain ? 'policy-retrain' : 'policy-held', subject: d.trigger, before: null, after: null, details: d.reason });
    if (!d.retrain) return;
    try {
      const id = startRetrain({ ...this.ctx, operator: { operator: 'policy', client: null } }, { trigger: `policy:${d.trigger}` }, this.runner);
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
    if (job.status !== 'done' || job.result === null) return;
    // The candidate has no held-out labels yet: its gate is judged once they are in (checkGates).
    this.gateWatch.add(job.result);
    if (this.autoPromoteJobs.delete(job.id)) this.autoPromote.add(job.result);
  }

  /** Candidates of finished retrains still in the shadow with no gate episode yet (a restart keeps watching them). */
  private seedGateWatch(): void {
    try {
      const paged = new Set(listEpisodes(this.engine.db, { all: true, limit: 1000 }).filter((e) => e.kind === 'gate').map((e) => e.subject));
      for (const j of listRetrains(this.ctx, 50)) {
        if (j.status !== 'done' || j.result === null || paged.has(j.result)) continue;
        const { name, version } = parseRef(j.result);
        if (findModel(this.engine.db, name, version)?.alias === 'shadow') this.gateWatch.add(j.result);
      }
    } catch (e) {
      this.engine.emit('error', e);
    }
  }

  /**
   * A gate episode ends when its candidate leaves the shadow (promoted, retired); checked on each
   * snapshot against the registry itself (the snapshot's view of it lags a switch by a second).
   */
  private resolveGateEpisodes(s: Snapshot): void {
    for (const a of s.alerts) {
      if (a.kind !== 'gate') continue;
      const { name, version } = parseRef(a.subject);
      const m = findModel(this.engine.db, name, version);
      if (m?.alias !== 'shadow') this.engine.resolveAlert('gate', a.subject, `${a.subject} is ${m ? (m.alias ?? 'retired') : 'no longer in the registry'}`);
    }
  }

  /**
   * A gate result pages (issue 12): the first time a retrained candidate's gate can judge it
   * (enough held-out labelled rows; the preview spends no budget), a page episode says whether
   * it passes — a person promotes it, or the policy does with retrain.autoPromote — or is
   * refused (the retrain did not pay off). The episode resolves when the candidate leaves the
   * shadow (promoted or retired). Checked as each window closes.
   */
  checkGates(): void {
    const db = this.engine.db;
    try {
      for (const cand of [...this.gateWatch]) {
        const { name, version } = parseRef(cand);
        if (findModel(db, name, version)?.alias !== 'shadow') {
          this.gateWatch.delete(cand);
          continue;
        }
        const r = gatePreview(this.ctx, cand);
        const f = r.figures;
        if (r.status !== 'evaluated' || f === null || f.refused !== null) continue;
        this.gateWatch.delete(cand);
        const figures = `n − o ${f.estimate.toFixed(4)} [${f.interval[0].toFixed(4)}, ${f.interval[1].toFixed(4)}] on ${f.heldOutRows} held-out rows, McNemar p ${f.mcnemarP === null ? '–' : f.mcnemarP.toExponential(1)}`;
        if (!f.pass) {
          this.engine.raiseAlert('gate', cand, 'page', `the gate refuses retrained ${cand} against ${f.active} (${f.condition}): ${figures}`, Date.now());
        } else if (this.autoPromote.delete(cand)) {
          void promote({ ...this.ctx, operator: { operator: 'policy', client: null } }, cand).catch((e) => this.engine.emit('error', e)).finally(() => this.engine.kick());
        } else {
          this.engine.raiseAlert('gate', cand, 'page', `retrained ${cand} passes the gate against ${f.active} (${f.condition}): ${figures}; promote it: mlops-tui promote ${cand}`, Date.now());
        }
      }
    } catch (e) {
      this.engine.emit('error', e);
    }
  }

  /**
   * The opt-in label-free switching policy (choose.auto): decided on each snapshot, carried out
   * through the same promote and rollback operations, audited as operator `policy`.
   */
  private chooseAuto(s: Snapshot): void {
    const c = this.cfg.choose;
    if (!c?.auto || this.choosing) return;
    // The registry, not the snapshot: the snapshot's registry view lags a switch by up to a
    // second, and deciding on it switched a second time to the model just promoted.
    const active = activeModel(this.engine.db);
    const activeRef = active ? refOf(active) : null;
    const back = decideRollback(c, s.estimates, this.policySwitch);
    const d = back ?? decideSwitch(c, s.choices, activeRef, this.lastChosenWindow, this.policySwitch, c.requireDrift && this.engine.inputsDrifted());
    if (!d) return;
    const policy: OpsContext = { ...this.ctx, operator: { operator: 'policy', client: null } };
    this.choosing = true;
    const done = (): void => { this.choosing = false; this.engine.kick(); };
    const db = this.engine.db;
    if (d.action === 'switch') {
      // The decision and its window are remembered with the audit row, before the switch: a
      // crash in between must not decide the same windows again after a restart.
      this.lastChosenWindow = d.window;
      recordPolicyDecision(db, { lastDecidedWindow: this.lastChosenWindow, lastSwitch: this.policySwitch }, d);
      void promote(policy, d.to, { force: true })
        .then((o) => {
          if (!o.changed) return;
          this.policySwitch = { from: d.from, to: d.to, since: d.window + this.windowMs, rolledBack: false };
          writeChoosePolicy(db, { lastDecidedWindow: this.lastChosenWindow, lastSwitch: this.policySwitch });
        })
        .catch((e) => this.engine.emit('error', e)).finally(done);
    } else {
      this.policySwitch = { ...this.policySwitch!, rolledBack: true };
      recordPolicyDecision(db, { lastDecidedWindow: this.lastChosenWindow, lastSwitch: this.policySwitch }, d);
      void rollback(policy).catch((e) => this.engine.emit('error', e)).finally(done);
    }
  }

  async promote(target: string, opts: { force?: boolean } = {}): Promise<CommandResult> {
    try {
      const o = await promote(this.ctx, target, opts);
      this.engine.kick();
      return { ok: o.changed, message: o.message };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  }

  async rollback(name?: string): Promise<CommandResult> {
    try {
      const o = await rollback(this.ctx, name);
      this.engine.kick();
      return { ok: o.changed, message: o.message };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  }

  async gatePreview(target: string): Promise<GateReport> {
    try {
      return gatePreview(this.ctx, target);
    } catch (e) {
      return { target, active: null, status: 'error', figures: null, message: errorMessage(e) };
    }
  }

  async retrain(opts: RetrainOptions = {}): Promise<CommandResult> {
    try {
      const id = startRetrain(this.ctx, { model: opts.model, type: opts.type, rows: opts.rows, trigger: 'operator' }, this.runner);
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
    const r = this.engine.acknowledgeAlert(n, this.ctx.operator);
    this.engine.kick();
    return r;
  }

  async exportQualityRows(feature: string, top: number): Promise<CommandResult> {
    try {
      const r = await exportRowsToFile(this.ctx, feature, top);
      return { ok: true, message: `wrote the ${r.rows} rows violating "${feature}" that cleaning helps most to ${r.path}` };
    } catch (e) {
      return { ok: false, message: `export failed: ${errorMessage(e)}` };
    }
  }

  async suggestReference(target: string): Promise<ReferenceSuggestion> {
    try {
      return suggestReference(this.ctx, target);
    } catch (e) {
      return { target, from: null, until: null, labelled: 0, needed: 0, current: null, error: errorMessage(e) };
    }
  }

  /** The Models screen's pin: the CLI's `reference set` through the same ops function; the engine's monitors pick it up with the registry. */
  async pinReference(target: string, from: number, until: number): Promise<CommandResult> {
    try {
      const { reference: r } = pinReference(this.ctx, target, from, until);
      this.engine.kick();
      return { ok: true, message: `${target}: CBPE reference pinned, ${r.rows} labelled rows ${formatMinute(from)} … ${formatMinute(until)}, realised accuracy ${(r.accuracy * 100).toFixed(1)}%` };
    } catch (e) {
      return { ok: false, message: `reference not pinned: ${errorMessage(e)}` };
    }
  }

  async cancelJob(id: string): Promise<CommandResult> {
    const before = cancelRetrain(this.ctx, Number(id), this.runner);
    this.engine.kick();
    const ok = before === 'queued' || before === 'running';
    return { ok, message: ok ? `job ${id} is being cancelled` : `job ${id} is not running or queued` };
  }
}

/**
 * The console thread's handle on the engine thread: a SnapshotSource and the
 * EngineCommands, forwarded over messages. The console never waits on SQLite,
 * tfjs or a file read; it only draws the latest snapshot.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../util/moduleWorker.js';
import type { Config } from '../config.js';
import type { FleetSource } from '../fleet/engineFeed.js';
import type { CommandCall, FromEngine, ToEngine } from './engineProtocol.js';
import type { CommandResult, EngineCommands, GateReport, PaceCommand, ReferenceSuggestion, RetrainOptions, Snapshot, SnapshotSource } from './snapshot.js';

type CommandAnswer = CommandResult | GateReport | ReferenceSuggestion;
import type { DemoOptions } from './operations.js';

export class EngineHost implements SnapshotSource, EngineCommands {
  private worker: Worker | null = null;
  private latest: Snapshot | null = null;
  private readonly listeners = new Set<(s: Snapshot) => void>();
  private readonly pending = new Map<number, (r: CommandAnswer) => void>();
  private nextId = 1;
  private stopped: Promise<void> | null = null;
  private resolveStopped: (() => void) | null = null;
  readonly errors: string[] = [];
  backend = 'loading';

  constructor(private readonly config: Config, private readonly notice: string | null = null, private readonly fleet: FleetSource | null = null, private readonly demo: DemoOptions | null = null) {}

  /** Starts the engine thread; resolves when it is ingesting. */
  start(): Promise<void> {
    const worker = startModuleWorker(import.meta.url, './engineWorker', { config: this.config, notice: this.notice, fleet: this.fleet, demo: this.demo });
    this.worker = worker;
    this.stopped = new Promise((r) => { this.resolveStopped = r; });
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromEngine) => {
        switch (m.type) {
          case 'ready': this.backend = m.backend; resolve(); break;
          case 'snapshot':
            this.latest = m.snapshot;
            for (const l of this.listeners) l(m.snapshot);
            break;
          case 'result': {
            const done = this.pending.get(m.id);
            this.pending.delete(m.id);
            done?.(m.result);
            break;
          }
          case 'error':
            this.errors.push(m.message);
            // The engine may not manage another snapshot (a pass that throws every time):
            // the error still reaches the flash line on the frame the console has.
            if (this.latest) {
              this.latest = { ...this.latest, problem: m.message };
              for (const l of this.listeners) l(this.latest);
            }
            break;
          case 'stopped':
            this.resolveStopped?.();
            // Stopped before it was ready: it failed to start (the console draws before that).
            reject(new Error(this.errors[this.errors.length - 1] ?? 'the engine stopped before it was ready'));
            break;
        }
      });
      worker.on('error', (e) => { this.errors.push(e.message); reject(e); this.resolveStopped?.(); });
      worker.on('exit', () => {
        this.resolveStopped?.();
        for (const done of this.pending.values()) done({ ok: false, message: 'the engine has stopped' });
        this.pending.clear();
      });
    });
  }

  current(): Snapshot | null {
    return this.latest;
  }

  subscribe(listener: (s: Snapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private call<T extends CommandAnswer>(call: CommandCall): Promise<T> {
    if (!this.worker) return Promise.resolve({ ok: false, message: 'the engine is not running' } as T);
    const id = this.nextId++;
    return new Promise<T>((resolve) => {
      this.pending.set(id, resolve as (r: CommandAnswer) => void);
      this.worker!.postMessage({ type: 'command', id, call } satisfies ToEngine);
    });
  }

  promote(target: string, opts?: { force?: boolean }): Promise<CommandResult> { return this.call({ name: 'promote', args: [target, opts] }); }
  rollback(name?: string): Promise<CommandResult> { return this.call({ name: 'rollback', args: [name] }); }
  gatePreview(target: string): Promise<GateReport> { return this.call({ name: 'gatePreview', args: [target] }); }
  retrain(opts?: RetrainOptions): Promise<CommandResult> { return this.call({ name: 'retrain', args: [opts] }); }
  cancelJob(id: string): Promise<CommandResult> { return this.call({ name: 'cancelJob', args: [id] }); }
  pace(cmd: PaceCommand): Promise<CommandResult> { return this.call({ name: 'pace', args: [cmd] }); }
  ackAlert(id: string): Promise<CommandResult> { return this.call({ name: 'ackAlert', args: [id] }); }
  exportQualityRows(feature: string, top: number): Promise<CommandResult> { return this.call({ name: 'exportQualityRows', args: [feature, top] }); }
  setHost(host: string | null): Promise<CommandResult> { return this.call({ name: 'setHost', args: [host] }); }
  suggestReference(target: string): Promise<ReferenceSuggestion> { return this.call({ name: 'suggestReference', args: [target] }); }
  pinReference(target: string, from: number, until: number): Promise<CommandResult> { return this.call({ name: 'pinReference', args: [target, from, until] }); }

  /** Commits what is in flight and stops the engine thread (terminated after a grace period). */
  async stop(graceMs = 10_000): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    w.postMessage({ type: 'stop' } satisfies ToEngine);
    const timer = setTimeout(() => void w.terminate(), graceMs);
    await this.stopped;
    clearTimeout(timer);
    await w.terminate();
  }
}

/**
 * The console's helpers (lazygit's layer between keys and the engine): promote, rollback,
 * retrain and cancel, each behind a confirmation when it is destructive, each reporting its
 * result on the flash line. Screen keys and the `:` command line both call these.
 */
import type { Dispatch } from 'react';
import type { CommandResult, EngineCommands, GateReport, PaceCommand, RetrainOptions, Snapshot } from '../src/engine/snapshot.js';
import type { DialogLine, FlashTone, UiAction } from './state.js';
import { gateLines as coreGateLines } from '../src/core/gate.js';
import { num, pct } from './format.js';

export interface ConsoleActions {
  readOnly: boolean;
  flash(text: string, tone?: FlashTone): void;
  promote(target: string, force?: boolean): void;
  rollback(name?: string): void;
  retrain(opts?: RetrainOptions): void;
  cancelJob(id: string): void;
  /** The demo's replay: pause, resume, faster, slower. Not destructive: allowed read-only. */
  pace(cmd: PaceCommand): void;
  ackAlert(id: string): void;
  /** Not destructive (it writes a new file, changes nothing): allowed read-only. */
  exportQualityRows(feature: string): void;
  /** The host filter (null: the whole fleet). Read-only: changes what is drawn, nothing stored. */
  setHost(host: string | null): void;
}

/** The promote dialog: the one gate text (src/core/gate.ts) under who replaces whom, then what --force does. */
export function gateLines(g: GateReport, force: boolean): DialogLine[] {
  const pass = g.figures ? g.figures.pass : g.status === 'no-active';
  const lines: DialogLine[] = [
    { text: `active now: ${g.active ?? 'none'}  →  ${g.target}` },
    ...coreGateLines(g),
  ];
  if (!pass && !force && g.status === 'evaluated') lines.push({ text: `The engine will refuse it; only :promote ${g.target} --force overrides (audited).`, tone: 'dim' });
  if (force) lines.push({ text: 'FORCE: the gate is overridden and the override is written to the audit trail.', tone: 'warn' });
  return lines;
}

let dialogSeq = 0;

export function makeActions(dispatch: Dispatch<UiAction>, commands: EngineCommands, getSnapshot: () => Snapshot | null, readOnly: boolean): ConsoleActions {
  const flash = (text: string, tone: FlashTone = 'info') => dispatch({ type: 'flash', flash: { text, tone, at: Date.now() } });
  const refuse = (what: string) => flash(`Read-only console: ${what} is disabled.`, 'bad');
  const run = (label: string, call: () => Promise<CommandResult>) => {
    flash(`${label}…`);
    let p: Promise<CommandResult>;
    try {
      p = call();
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (r) => flash(r.message, r.ok ? 'ok' : 'bad'),
      (e: unknown) => flash(`${label} failed: ${e instanceof Error ? e.message : String(e)}`, 'bad'),
    );
  };
  const activeOf = (name?: string) =>
    getSnapshot()?.models.find((m) => m.alias === 'active' && (name === undefined || m.name === name));

  return {
    readOnly,
    flash,
    promote(target, force = false) {
      if (readOnly) return refuse('promote');
      const id = ++dialogSeq;
      const label = force ? 'Force promote' : 'Promote';
      dispatch({
        type: 'confirm-open',
        dialog: {
          id,
          title: `${label} ${target}?`,
          lines: [{ text: 'evaluating the promotion gate…', tone: 'dim' }],
          confirmLabel: label,
          loading: true,
          focus: 'cancel',
          onConfirm: () => run(`promote ${target}`, () => commands.promote(target, { force })),
        },
      });
      commands.gatePreview(target).then(
        (g) => dispatch({ type: 'confirm-update', id, lines: gateLines(g, force), loading: false }),
        (e: unknown) =>
          dispatch({
            type: 'confirm-update',
            id,
            lines: [{ text: `Gate preview failed: ${e instanceof Error ? e.message : String(e)}`, tone: 'bad' }],
            loading: false,
          }),
      );
    },
    rollback(name) {
      if (readOnly) return refuse('rollback');
      const active = activeOf(name);
      const who = active ? `${active.name}@${active.version}` : (name ?? 'the active model');
      dispatch({
        type: 'confirm-open',
        dialog: {
          id: ++dialogSeq,
          title: `Roll back ${active?.name ?? name ?? 'the active model'}?`,
          lines: [
            { text: `active now: ${who}` },
            { text: 'The version that was active before it serves again; the switch is audited.' },
            ...(active ? [{ text: `trained: acc ${pct(active.metrics.accuracy)}  log loss ${num(active.metrics.logLoss)}  AUC ${num(active.metrics.auc)}`, tone: 'dim' as const }] : []),
          ],
          confirmLabel: 'Roll back',
          loading: false,
          focus: 'cancel',
          onConfirm: () => run(`rollback ${active?.name ?? name ?? ''}`.trim(), () => commands.rollback(name ?? active?.name)),
        },
      });
    },
    retrain(opts = {}) {
      if (readOnly) return refuse('retrain');
      const model = opts.model ?? activeOf()?.name;
      run(`retrain ${model ?? ''}`.trim(), () => commands.retrain(model ? { ...opts, model } : opts));
    },
    pace(cmd) {
      commands.pace(cmd).then(
        (r) => flash(r.message, r.ok ? 'info' : 'bad'),
        (e: unknown) => flash(`pacing failed: ${e instanceof Error ? e.message : String(e)}`, 'bad'),
      );
    },
    exportQualityRows(feature) {
      commands.exportQualityRows(feature, 100).then(
        (r) => flash(r.message, r.ok ? 'info' : 'bad'),
        (e: unknown) => flash(`export failed: ${e instanceof Error ? e.message : String(e)}`, 'bad'),
      );
    },
    setHost(host) {
      commands.setHost(host).then(
        (r) => flash(r.message, r.ok ? 'info' : 'bad'),
        (e: unknown) => flash(`host filter failed: ${e instanceof Error ? e.message : String(e)}`, 'bad'),
      );
    },
    ackAlert(id) {
      // Not destructive: acknowledging stops nothing, it records that someone is on it (audited).
      if (readOnly) return refuse('acknowledge');
      run(`ack alert ${id}`, () => commands.ackAlert(id));
    },
    cancelJob(id) {
      if (readOnly) return refuse('cancel');
      const job = getSnapshot()?.jobs.find((j) => j.id === id);
      dispatch({
        type: 'confirm-open',
        dialog: {
          id: ++dialogSeq,
          title: `Stop retrain job ${id}?`,
          lines: [
            { text: job ? `${job.model} (${job.type}), ${job.status}, epoch ${job.epoch}/${job.epochs}` : 'job not in the current snapshot' },
            { text: 'The worker stops and no partial model is registered.', tone: 'dim' },
          ],
          confirmLabel: 'Stop job',
          loading: false,
          focus: 'cancel',
          onConfirm: () => run(`cancel ${id}`, () => commands.cancelJob(id)),
        },
      });
    },
  };
}

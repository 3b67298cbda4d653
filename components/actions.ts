/**
 * The console's helpers (lazygit's layer between keys and the engine): promote, rollback,
 * retrain and cancel, each behind a confirmation when it is destructive, each reporting its
 * result on the flash line. Screen keys and the `:` command line both call these.
 */
import type { Dispatch } from 'react';
import type { CommandResult, EngineCommands, GateReport, PaceCommand, ReferenceSuggestion, RetrainOptions, Snapshot } from '../src/engine/snapshot.js';
import type { DialogLine, FlashTone, UiAction } from './state.js';
import { gateLines as coreGateLines } from '../src/core/gate.js';
import { count, day, num, pct } from './format.js';
import { formatDay, parseTime } from '../src/core/time.js';

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
  /** The period dialog for `target`'s CBPE reference, defaulting to its first labelled week. */
  pinReference(target: string): void;
}

/** What the reference dialog says above its fields: what a pin does, what it would replace, the suggested week. */
export function referenceLines(s: ReferenceSuggestion | null): DialogLine[] {
  const lines: DialogLine[] = [
    { text: 'The label-free estimate (CBPE) of this model is calibrated on its labelled predictions of [from, until): whole days the model served well, like what it will see. Audited.' },
  ];
  if (s === null) return [...lines, { text: 'looking up its first labelled week…', tone: 'dim' }];
  if (s.error) return [...lines, { text: s.error, tone: 'bad' }];
  const c = s.current;
  lines.push({
    text: c === null ? 'in force: no reference, so no estimate'
      : c.source === 'pinned' ? `in force: pinned ${c.from === null ? '' : `${day(c.from)} … ${day(c.until)}, `}${count(c.rows)} rows (replaced by a new pin)`
        : `in force: held-out rows from training, ${count(c.rows)} rows (a pin wins over them)`,
    tone: 'dim',
  });
  lines.push(s.from === null
    ? { text: 'no labelled prediction of this model yet: type a period once labels are in', tone: 'warn' }
    : { text: `first labelled week: ${count(s.labelled)} labelled rows with a score (${count(s.needed)} needed)`, tone: s.labelled >= s.needed ? 'ok' : 'warn' });
  return lines;
}

/** A time typed in the dialog, by core's one parser; the sentence says which field is wrong. */
export function readPeriod(values: readonly string[]): { from: number; until: number } | string {
  const [fromText = '', untilText = ''] = values;
  const from = parseTime(fromText);
  if (from === null) return `from "${fromText}" is not an ISO 8601 time (2001-02-01, 2001-02-01T06:00Z) or epoch milliseconds`;
  const until = parseTime(untilText);
  if (until === null) return `until "${untilText}" is not an ISO 8601 time (2001-02-08) or epoch milliseconds`;
  if (!(until > from)) return 'until must be after from';
  return { from, until };
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
    pinReference(target) {
      if (readOnly) return refuse('pinning a reference');
      const id = ++dialogSeq;
      dispatch({
        type: 'form-open',
        form: {
          id,
          title: `Pin the CBPE reference of ${target}`,
          lines: referenceLines(null),
          fields: [{ label: 'from', value: '', edited: false }, { label: 'until', value: '', edited: false }],
          focus: 0,
          confirmLabel: 'Pin',
          loading: true,
          error: null,
          submit: (values) => {
            const p = readPeriod(values);
            if (typeof p === 'string') return p;
            run(`pin reference of ${target}`, () => commands.pinReference(target, p.from, p.until));
            return null;
          },
        },
      });
      commands.suggestReference(target).then(
        (s) => dispatch({
          type: 'form-update', id, lines: referenceLines(s), loading: false,
          values: s.from !== null && s.until !== null ? [formatDay(s.from), formatDay(s.until)] : undefined,
        }),
        (e: unknown) => dispatch({ type: 'form-update', id, lines: [{ text: `no suggestion: ${e instanceof Error ? e.message : String(e)}`, tone: 'bad' }], loading: false }),
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

/**
 * The stand-in for a serving system: reads a labelled CSV in time order, scores
 * every row with the active model and every shadow, and appends prediction
 * lines to daily JSONL files; each label is written once the replay's event
 * clock has passed the row's time plus the label delay, as labels arrive late
 * in production. Lines are appended in whole-line writes.
 */
import { formatDay, isoTime } from '../core/time.js';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../store/db.js';
import { readCsv } from '../data/csv.js';
import { parseTime } from '../core/time.js';
import { applyIncident, type Incident } from './incident.js';
import { ServingModels, type ServingModel } from './servingModels.js';
import { readControl, statusPathOf, writeStatus } from './control.js';

export interface ReplayOptions {
  data: string;
  label: string;
  time: string;
  out: string;
  /** Rows per second of wall time; 0 = as fast as possible. */
  rate: number;
  labelDelayMs: number;
  from?: number;
  until?: number;
  incident?: Incident | null;
  /** Id prefix for request ids (default: "r"). */
  idPrefix?: string;
  /** How often the registry is re-read. */
  registryPollMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: ReplayProgress) => void;
  /**
   * A control file (src/replay/control.ts) polled every tick: pause and rate, as the demo's
   * console sets them. Its status file gets the replay's clock back.
   */
  control?: string;
}

export interface ReplayProgress {
  rows: number;
  predictions: number;
  labels: number;
  eventTime: number;
  serving: string[];
}

const TICK_MS = 100;

function dayFile(out: string, ts: number): string {
  return join(out, `predictions-${formatDay(ts)}.jsonl`);
}

function typed(row: Record<string, unknown>, models: ServingModel[]): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const m of models) {
    for (const [f, kind] of Object.entries(m.artifact.schema)) {
      if (f in out) continue;
      const v = row[f];
      if (v === undefined || v === null || v === '') out[f] = null;
      else if (kind === 'numeric') {
        const n = Number(v);
        out[f] = Number.isFinite(n) ? n : null;
      } else out[f] = String(v);
    }
  }
  return out;
}

/** The control's hold point, read at most every 100 ms (the loop asks per row). */
let holdCache: { path: string; at: number; value: number | null } | null = null;
function holdAt(path: string): number | null {
  const now = Date.now();
  if (!holdCache || holdCache.path !== path || now - holdCache.at > 100) {
    holdCache = { path, at: now, value: readControl(path)?.holdAt ?? null };
  }
  return holdCache.value;
}

export async function runReplay(db: Db, opts: ReplayOptions): Promise<ReplayProgress> {
  mkdirSync(opts.out, { recursive: true });
  const serving = new ServingModels(db);
  await serving.refresh();
  if (serving.current.length === 0) throw new Error('no active or shadow model in the registry: train one first (mlops-tui train)');
  const pending: Array<{ due: number; line: string }> = [];
  const progress: ReplayProgress = { rows: 0, predictions: 0, labels: 0, eventTime: 0, serving: [] };
  const pollMs = opts.registryPollMs ?? 250;
  let lastPoll = Date.now();
  let batch: Array<{ ts: number; row: Record<string, unknown>; id: string; label: unknown }> = [];
  const prefix = opts.idPrefix ?? 'r';
  // Pacing is measured from the last change of rate (or resume), not per tick, so rounding
  // does not drift and a pause is not made up for by a burst afterwards.
  let rate = (opts.control ? readControl(opts.control)?.rate : undefined) ?? opts.rate;
  let started = Date.now();
  let baseRows = 0;
  const perTickOf = (r: number): number => (r > 0 ? Math.max(1, Math.round((r * TICK_MS) / 1000)) : 2000);
  let perTick = perTickOf(rate);
  const statusPath = opts.control ? statusPathOf(opts.control) : null;
  let lastStatus = 0;
  const status = (paused: boolean, done = false, force = false): void => {
    if (!statusPath || (!force && Date.now() - lastStatus < 200)) return;
    lastStatus = Date.now();
    try {
      writeStatus(statusPath, { at: lastStatus, eventTime: progress.eventTime || null, rows: progress.rows, paused, rate, done });
    } catch {
      // The status is a courtesy to the console; the replay goes on without it.
    }
  };
  /** Reads the control: waits while it says paused (or holds at `nextTs`), follows a new rate. */
  const holding = (c: ReturnType<typeof readControl>, nextTs: number | null): boolean =>
    !!c && (c.paused || (typeof c.holdAt === 'number' && nextTs !== null && nextTs >= c.holdAt));
  const obeyControl = async (nextTs: number | null = null): Promise<void> => {
    if (!opts.control) return;
    let c = readControl(opts.control);
    if (holding(c, nextTs)) {
      status(true, false, true);
      while (holding(c, nextTs) && !opts.signal?.aborted) {
        await new Promise((r) => setTimeout(r, TICK_MS));
        c = readControl(opts.control);
      }
      started = Date.now();
      baseRows = progress.rows;
      status(false, false, true);
    }
    if (c && c.rate !== rate) {
      rate = c.rate;
      perTick = perTickOf(rate);
      started = Date.now();
      baseRows = progress.rows;
      status(false, false, true);
    }
    status(false);
  };

  const flush = async (): Promise<void> => {
    if (Date.now() - lastPoll >= pollMs) {
      lastPoll = Date.now();
      await serving.refresh();
    }
    const models = serving.current;
    progress.serving = models.map((m) => `${m.name}@${m.version}${m.alias === 'active' ? '*' : ''}`);
    const rows = batch.map((b) => b.row);
    const scored = models.map((m) => m.predictor.predict(rows));
    const byFile = new Map<string, string[]>();
    const push = (file: string, line: string): void => {
      const list = byFile.get(file);
      if (list) list.push(line);
      else byFile.set(file, [line]);
    };
    for (let i = 0; i < batch.length; i++) {
      const b = batch[i];
      const features = typed(b.row, models);
      const ts = isoTime(b.ts);
      for (let k = 0; k < models.length; k++) {
        const m = models[k];
        const s = scored[k];
        push(dayFile(opts.out, b.ts), JSON.stringify({ ts, id: b.id, model: m.name, version: m.version, features, prediction: s.prediction[i], score: s.score[i] }));
        progress.predictions++;
      }
      pending.push({ due: b.ts + opts.labelDelayMs, line: JSON.stringify({ ts: isoTime(b.ts + opts.labelDelayMs), id: b.id, label: b.label }) });
    }
    const now = batch.length > 0 ? batch[batch.length - 1].ts : progress.eventTime;
    progress.eventTime = now;
    let n = 0;
    // A label goes to the file the event clock is in, after the predictions that moved the clock
    // past its due time: a reader of any one file never sees a label before its time.
    while (n < pending.length && pending[n].due <= now) {
      push(dayFile(opts.out, now), pending[n].line);
      n++;
    }
    pending.splice(0, n);
    progress.labels += n;
    for (const [file, lines] of byFile) appendFileSync(file, `${lines.join('\n')}\n`);
    progress.rows += batch.length;
    batch = [];
    opts.onProgress?.(progress);
  };

  await obeyControl();
  let index = 0;
  for await (const raw of readCsv(opts.data)) {
    if (opts.signal?.aborted) break;
    index++;
    const ts = parseTime(raw[opts.time]);
    if (ts === null) continue;
    if (opts.from !== undefined && ts < opts.from) continue;
    if (opts.until !== undefined && ts >= opts.until) continue;
    if (opts.control && holdAt(opts.control) !== null && ts >= holdAt(opts.control)!) {
      // The demo holds here: everything before this row is written, nothing at or after it.
      if (batch.length > 0) await flush();
      await obeyControl(ts);
    }
    const row = applyIncident(opts.incident ?? null, ts, raw);
    const label = raw[opts.label];
    const numeric = Number(label);
    batch.push({ ts, row, id: `${prefix}-${index}`, label: label !== '' && Number.isFinite(numeric) ? numeric : label });
    if (batch.length >= perTick) {
      await flush();
      await obeyControl();
      if (rate > 0) {
        const due = started + ((progress.rows - baseRows) / rate) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      } else {
        await new Promise((r) => setImmediate(r));
      }
    }
  }
  if (batch.length > 0) await flush();
  if (!opts.signal?.aborted && pending.length > 0) {
    // The data has ended: the remaining labels arrive after their delay.
    progress.eventTime = pending[pending.length - 1].due;
    const byFile = new Map<string, string[]>();
    for (const p of pending) {
      const f = dayFile(opts.out, p.due);
      byFile.set(f, [...(byFile.get(f) ?? []), p.line]);
    }
    for (const [file, lines] of byFile) appendFileSync(file, `${lines.join('\n')}\n`);
    progress.labels += pending.length;
    pending.length = 0;
    opts.onProgress?.(progress);
  }
  status(false, true, true);
  serving.dispose();
  return progress;
}

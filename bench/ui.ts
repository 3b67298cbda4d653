/**
 * The console's responsiveness over a small and a large store, as its user gets it.
 *
 * For 10^4 and 10^6 prediction rows: two tiny models registered (a logistic regression active,
 * an MLP shadow, trained with tfjs on synthetic rows), shadow traffic for both written as JSON
 * lines; then the console is put together the way `openConsole` does it: the engine in its own
 * thread (EngineHost → engineWorker: ingest, analytics, jobs), React's production build, and
 * `renderConsole` (Ink's real render with the console's options: a TTY, log-update, the 30 fps
 * frame throttle) on an in-memory 200×60 terminal (test/helpers/fakeTty.ts). The engine ingests
 * the logs itself while the console is open. Once it has caught up:
 *
 *   key → frame   a key written to the terminal's stdin until the first frame written to its
 *                 stdout that shows the screen, cycling 2…6,1, keys 80–200 ms apart (a person
 *                 switching screens; keys closer than Ink's 33 ms frame interval are drawn at its
 *                 30 fps cadence). Baseline, right after each key in the same run: the frame that
 *                 key produced, drawn as one bare Ink <Text> with the same render options — what
 *                 Ink alone costs for that output.
 *   snapshot → frame   a snapshot received from the engine thread until the frame drawn from it
 *   rss           process.memoryUsage().rss after ingesting and analysing (both threads)
 *   key → frame   again at the largest size while a retrain job runs in the engine thread
 *
 *   npx tsx bench/ui.ts [--rows 10000,1000000] [--keys 120] [--size 200x60] [--profile-keys FILE.cpuprofile]
 */
import { mkdtempSync, rmSync, createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_CONFIG, type Config } from '../src/config.js';
import { EngineHost } from '../src/engine/engineHost.js';
import type { EngineCommands, Snapshot, SnapshotSource } from '../src/engine/snapshot.js';
import { productionReact } from '../src/cli/openConsole.js';
import { initBackend } from '../src/models/backend.js';
import { trainArtifact } from '../src/models/trainArtifact.js';
import { saveArtifact } from '../src/registry/saveArtifact.js';
import { openDb } from '../store/db.js';
import { fakeTty, type FakeTty } from '../test/helpers/fakeTty.js';
import type { BenchResult, BenchRow } from './types.js';
import { mulberry32 } from '../src/util/random.js';

export const TARGET_FRAME_MS = 50;
/** Issue 14: key → frame p95 at 200×60 with 10^6 rows (49 ms when it was filed). */
export const TARGET_KEY_P95_MS = 30;
/** The last figure before this bench drew the console as openConsole does (ink-testing-library, engine on the console's thread, React's development build). */
export const PREVIOUS_KEY_P95_MS = 45.8;
export const TARGET_RETRAIN_KEY_MS = 100;
export const TARGET_RSS_MB = 300;
/** "Flat": the 10^6 figure within this factor of the 10^4 one. */
export const TARGET_FLAT_RATIO = 1.5;

const [COLS, ROWS] = (arg('--size') ?? '200x60').split('x').map(Number);
const SCHEMA = { hour: 'numeric', distance: 'numeric', origin: 'categorical', carrier: 'categorical' } as const;
const AIRPORTS = ['ATL', 'ORD', 'DFW', 'LAX', 'PHX', 'DEN', 'DTW', 'IAH', 'MSP', 'SFO', 'STL', 'EWR', 'LAS', 'CLT', 'LGA', 'BOS', 'PHL', 'MCI', 'SEA', 'MCO'];
const CARRIERS = ['AA', 'UA', 'DL', 'WN', 'US', 'NW', 'CO'];
const T0 = Date.parse('2001-02-01T00:00:00Z');
const DAYS = 30;

/** Deterministic, so every run uses the same data. */
const rng = mulberry32;

interface Row { hour: number; distance: number; origin: string; carrier: string }

function makeRow(rand: () => number, drift: number): Row {
  return {
    hour: Math.min(23, Math.floor(rand() * 18) + 5 + Math.round(drift * 4)),
    distance: Math.round(150 + rand() * 2400),
    origin: AIRPORTS[Math.floor(rand() * rand() * AIRPORTS.length)],
    carrier: CARRIERS[Math.floor(rand() * CARRIERS.length)],
  };
}

const truth = (r: Row): number => 1 / (1 + Math.exp(-(-2.2 + 0.12 * (r.hour - 12) + (r.origin === 'ORD' ? 0.8 : 0))));

async function registerModels(dbPath: string): Promise<void> {
  const rand = rng(7);
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < 3000; i++) {
    const r = makeRow(rand, 0);
    rows.push({ ...r, ts: new Date(T0 - (3000 - i) * 60_000).toISOString(), y: rand() < truth(r) ? 1 : 0 });
  }
  const db = openDb(dbPath);
  try {
    const op = { operator: 'bench', client: null };
    const logreg = await trainArtifact(rows, { type: 'logreg', label: 'y', schema: { ...SCHEMA }, time: 'ts', epochs: 8, batchSize: 256 });
    saveArtifact(db, 'bench-logreg', logreg, op, 'active');
    const mlp = await trainArtifact(rows, { type: 'mlp', label: 'y', schema: { ...SCHEMA }, time: 'ts', epochs: 4, batchSize: 256 });
    saveArtifact(db, 'bench-mlp', mlp, op, 'shadow');
  } finally {
    db.close();
  }
}

function write(out: WriteStream, text: string): Promise<void> {
  return out.write(text) ? Promise.resolve() : new Promise((r) => out.once('drain', () => r()));
}

/**
 * Shadow traffic over 30 days of event time (so daily drift windows close): every request
 * scored by both models, its label two hours later; an upstream shift of `hour` in the last
 * third so the drift screens have work. Scores come from a formula, not the models: writing
 * 10^6 lines must not take longer than what is measured.
 */
async function writeLogs(dir: string, predictions: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const rand = rng(42);
  const requests = Math.ceil(predictions / 2);
  const step = (DAYS * 86_400_000) / requests;
  const out = createWriteStream(join(dir, 'predictions.jsonl'));
  let buf: string[] = [];
  for (let i = 0; i < requests; i++) {
    const ts = T0 + Math.floor(i * step);
    const r = makeRow(rand, i > requests * 0.66 ? 1 : 0);
    const p = truth(r);
    const id = `r-${i}`;
    const features = JSON.stringify(r);
    for (const [model, noise] of [['bench-logreg', 0.08], ['bench-mlp', 0.05]] as const) {
      const score = Math.min(0.999, Math.max(0.001, p + (rand() - 0.5) * noise * 2));
      buf.push(`{"ts":${ts},"id":"${id}","model":"${model}","version":1,"features":${features},"prediction":${score > 0.5 ? 1 : 0},"score":${score.toFixed(4)}}`);
    }
    buf.push(`{"ts":${ts + 7_200_000},"id":"${id}","label":${rand() < p ? 1 : 0}}`);
    if (buf.length >= 30_000) {
      await write(out, buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) await write(out, buf.join('\n') + '\n');
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  const f = runInNewContext('gc') as (() => void) | undefined;
  f?.();
  f?.();
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Screen { key: string; marker: string }
const CYCLE: Screen[] = [
  { key: '2', marker: '[2 Drift]' }, { key: '3', marker: '[3 Shadow]' }, { key: '4', marker: '[4 Models]' },
  { key: '5', marker: '[5 Retrain]' }, { key: '6', marker: '[6 Events]' }, { key: '1', marker: '[1 Overview]' },
];

/** React, Ink and the console, loaded after productionReact() (React picks its build when first loaded). */
type Ui = {
  React: typeof import('react');
  ink: typeof import('ink');
  renderConsole: typeof import('../components/render.js').renderConsole;
  INK_OPTIONS: typeof import('../components/render.js').INK_OPTIONS;
};

async function loadUi(): Promise<Ui> {
  productionReact();
  // Colours as on a terminal (chalk would see this process's stdout, often a pipe or a file).
  process.env.FORCE_COLOR ??= '3';
  const [React, ink, render] = await Promise.all([import('react'), import('ink'), import('../components/render.js')]);
  return { React, ink, renderConsole: render.renderConsole, INK_OPTIONS: render.INK_OPTIONS };
}

// What log-update writes before a frame: erase the previous one (ansi-escapes' eraseLines).
const ERASE = /^(?:\u001b\[2K(?:\u001b\[1A)?)*(?:\u001b\[G)?/;
const SYNC = new Set(['\u001b[?2026h', '\u001b[?2026l']);
/** The frame in one write of Ink's to the terminal, or null for a control sequence alone. */
function frameOf(chunk: string): string | null {
  if (SYNC.has(chunk) || chunk.length < 40) return null;
  return chunk.replace(ERASE, '').replace(/\n$/, '');
}

/** The console on an in-memory terminal, with a clock on every frame and every snapshot. */
class Harness {
  private readonly tty: FakeTty;
  private readonly abort = new AbortController();
  readonly done: Promise<void>;
  private waiter: { test: (f: string) => boolean; resolve: (at: number) => void } | null = null;
  private snapshotAt: number | null = null;
  /** Per engine-driven frame: snapshot received on this thread → frame written. */
  readonly renderMs: number[] = [];
  frames = 0;
  private last = '';
  private lastFrameAt = -Infinity;
  /** Per key: ms since the frame before it (under Ink's frame interval, the key's frame waits for the rest). */
  readonly sinceFrameMs: number[] = [];

  constructor(private readonly ui: Ui, host: SnapshotSource & EngineCommands) {
    // The App subscribes through this wrapper, so the time a snapshot reaches React is known.
    const source: SnapshotSource = {
      current: () => host.current(),
      subscribe: (listener) => host.subscribe((s: Snapshot) => {
        this.snapshotAt = performance.now();
        listener(s);
      }),
    };
    this.tty = fakeTty(true, COLS, ROWS);
    this.tty.stdout.onWrite = (chunk) => {
      const at = performance.now();
      const frame = frameOf(chunk);
      if (frame === null) return;
      this.last = frame;
      this.lastFrameAt = at;
      this.frames++;
      if (this.snapshotAt !== null) {
        this.renderMs.push(at - this.snapshotAt);
        this.snapshotAt = null;
      }
      const w = this.waiter;
      if (w && w.test(frame)) {
        this.waiter = null;
        w.resolve(at);
      }
    };
    // Colours as most terminals have them: Ink tokenises every escape code on every frame.
    this.done = ui.renderConsole({ snapshots: source, commands: host, noColor: false }, { ...this.tty.as, abort: this.abort.signal });
  }

  lastFrame(): string {
    return this.last;
  }

  /**
   * The baseline, drawn right after each key in the same run: the frame that key produced, as
   * one bare Ink <Text> of the same bytes in a box of the same width, through Ink's render with
   * the console's options on a terminal of its own. What Ink alone costs for that output (React
   * reconciling one node, layout, Output's grid, log-update's write), so our key → frame over it
   * is what the console adds.
   */
  private bare: { instance: ReturnType<typeof import('ink').render>; tty: FakeTty } | null = null;
  private bareWaiter: ((at: number) => void) | null = null;
  readonly bareMs: number[] = [];

  async drawBare(frame: string): Promise<number> {
    const { React, ink } = this.ui;
    const el = React.createElement(ink.Box, { width: COLS }, React.createElement(ink.Text, null, frame));
    if (this.bare === null) {
      const tty = fakeTty(true, COLS, ROWS);
      tty.stdout.onWrite = (chunk) => {
        const at = performance.now();
        if (frameOf(chunk) === null) return;
        const w = this.bareWaiter;
        this.bareWaiter = null;
        w?.(at);
      };
      // Starts empty: Ink writes nothing for a frame equal to the last one (consecutive keys show different screens).
      this.bare = { tty, instance: ink.render(React.createElement(ink.Text, null, ''), { ...tty.as, ...this.ui.INK_OPTIONS, patchConsole: false }) };
      await sleep(100);
    }
    let timer: NodeJS.Timeout | undefined;
    const shown = new Promise<number>((resolve, reject) => {
      this.bareWaiter = resolve;
      timer = setTimeout(() => reject(new Error('the bare Ink baseline drew no frame within 5 s')), 5_000);
    });
    const t0 = performance.now();
    this.bare.instance.rerender(el);
    try {
      return (await shown) - t0;
    } finally {
      clearTimeout(timer);
    }
  }

  /** ms from typing `key` to the first frame containing `marker`. */
  async press(key: string, marker: string, timeoutMs = 5_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const shown = new Promise<number>((resolve, reject) => {
      this.waiter = { test: (f) => f.includes(marker), resolve };
      timer = setTimeout(() => reject(new Error(`no frame with ${marker} within ${timeoutMs} ms after key ${key}`)), timeoutMs);
    });
    // A frame caused by the engine between here and the key would be counted as this key's.
    this.snapshotAt = null;
    const t0 = performance.now();
    this.sinceFrameMs.push(t0 - this.lastFrameAt);
    this.tty.stdin.write(key);
    try {
      return (await shown) - t0;
    } finally {
      clearTimeout(timer);
    }
  }

  async cycle(presses: number, keyMs: number[], until?: () => boolean): Promise<void> {
    for (let i = 0; i < presses && (until === undefined || !until()); i++) {
      const s = CYCLE[i % CYCLE.length];
      keyMs.push(await this.press(s.key, s.marker));
      if (keyMs === this.measured) this.bareMs.push(await this.drawBare(this.lastFrame()));
      // A person switching screens: 80–200 ms between keys.
      await sleep(80 + (i % 4) * 40);
    }
  }

  /** The key list whose keys get a baseline frame each (the measured cycle, not warm-up or retrain). */
  measured: number[] | null = null;

  async unmount(): Promise<void> {
    this.abort.abort();
    await this.done;
    this.bare?.instance.unmount();
  }
}

interface SizeResult {
  predictions: number;
  /** Engine thread started → every line ingested and analysed (the console open meanwhile). */
  catchUpSec: number;
  keyMs: number[];
  /** Per measured key: the same frame drawn by a bare Ink <Text> right after it. */
  bareMs: number[];
  renderMs: number[];
  rssMb: number;
  /** Before the engine thread started (this thread has trained two models with tfjs by then). */
  rssBeforeMb: number;
  heapMb: number;
  retrainKeyMs: number[];
  retrainStatus: string;
  retrainSec: number;
  perScreen: Record<string, number[]>;
  /** Per measured key: ms since the frame before it. */
  sinceFrameMs: number[];
  loopMaxMs: number;
  framesWhileCatchingUp: number;
}

/** Resolves when `cond` holds, checked every 50 ms. */
async function until(cond: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`bench/ui: ${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

/** Snapshots equal but for their clock and ingest rate: the engine has nothing left to do. */
const settled = (a: Snapshot, b: Snapshot): boolean =>
  isDeepStrictEqual({ ...a, at: 0, ingest: { ...a.ingest, ratePerSec: 0 } }, { ...b, at: 0, ingest: { ...b.ingest, ratePerSec: 0 } });

async function measure(ui: Ui, predictions: number, presses: number, withRetrain: boolean): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-ui-'));
  try {
    const cfg: Config = structuredClone(DEFAULT_CONFIG);
    cfg.db = join(dir, 'mlops.db');
    cfg.watch = join(dir, 'predictions');
    cfg.retrain.rows = 20_000;
    await registerModels(cfg.db);
    await writeLogs(cfg.watch, predictions);

    gc();
    const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
    // As openConsole: the console draws at once, the engine thread starts beside it and ingests.
    const host = new EngineHost(cfg);
    const h = new Harness(ui, host);
    const t0 = performance.now();
    await host.start();
    let told = performance.now();
    await until(() => {
      const s = host.current();
      if (performance.now() - told > 15_000) {
        told = performance.now();
        process.stderr.write(`bench/ui: ${s?.ingest.predictions ?? 0} of ${predictions} predictions ingested after ${((told - t0) / 1000).toFixed(0)} s\n`);
      }
      return s !== null && s.ingest.predictions >= predictions && s.ingest.caughtUp;
    }, `ingesting and analysing ${predictions} predictions`, 900_000);
    // Then the quality pass and the last windows: until three seconds bring nothing new.
    let last = host.current()!;
    let lastChange = performance.now();
    await until(() => {
      const s = host.current()!;
      if (!settled(last, s)) { last = s; lastChange = performance.now(); }
      return performance.now() - lastChange > 3_000;
    }, 'the engine settling', 120_000);
    const catchUpSec = (performance.now() - t0) / 1000 - 3;
    const framesWhileCatchingUp = h.frames;
    gc();
    const mem = process.memoryUsage();

    // Warm-up: the first visit of each screen compiles and lays out its components.
    await h.cycle(CYCLE.length, []);
    h.renderMs.length = 0;
    h.sinceFrameMs.length = 0;
    const keyMs: number[] = [];
    h.measured = keyMs;
    const profileTo = arg('--profile-keys');
    const session = profileTo && predictions === Math.max(...sizes()) ? new Session() : null;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    await h.cycle(presses, keyMs);
    loop.disable();
    if (session && profileTo) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(profileTo, JSON.stringify(profile));
      session.disconnect();
    }
    const sinceFrameMs = h.sinceFrameMs.slice(0, keyMs.length);
    const perScreen: Record<string, number[]> = {};
    keyMs.forEach((ms, i) => { (perScreen[CYCLE[i % CYCLE.length].marker] ??= []).push(ms); });
    // Frames the engine causes on its own while nobody types (its snapshot cadence).
    await sleep(1500);

    const retrainKeyMs: number[] = [];
    let retrainStatus = 'not run';
    let retrainSec = 0;
    if (withRetrain) {
      const tr = performance.now();
      const res = await host.retrain({ model: 'bench-logreg', type: 'mlp' });
      if (!res.ok) throw new Error(`retrain did not start: ${res.message}`);
      const job = () => host.current()?.jobs[0];
      const finished = () => ['done', 'failed', 'cancelled', 'interrupted'].includes(job()?.status ?? '');
      // Keys for as long as the job runs (reading rows, training in its worker, registering).
      while (!finished() && performance.now() - tr < 120_000) await h.cycle(CYCLE.length, retrainKeyMs, finished);
      retrainSec = (performance.now() - tr) / 1000;
      retrainStatus = job()?.status ?? 'unknown';
    }

    await h.unmount();
    await host.stop();
    if (host.errors.length) process.stderr.write(`bench/ui: ${host.errors.length} engine error(s), the last: ${host.errors[host.errors.length - 1]}\n`);
    return {
      predictions, catchUpSec, keyMs, bareMs: [...h.bareMs], renderMs: [...h.renderMs], perScreen, sinceFrameMs, framesWhileCatchingUp,
      loopMaxMs: loop.max / 1e6, rssMb: mem.rss / 2 ** 20, rssBeforeMb, heapMb: mem.heapUsed / 2 ** 20,
      retrainKeyMs, retrainStatus, retrainSec,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sizes = (): number[] => (arg('--rows') ?? '10000,1000000').split(',').map(Number).filter((n) => n > 0);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const label = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

export async function main(): Promise<BenchResult> {
  const presses = Number(arg('--keys') ?? 120);
  // Before React loads (the console's own order: openConsole → productionReact → render).
  const ui = await loadUi();
  // This thread trains the two models of each store (the console's thread never loads tfjs).
  await initBackend();
  const results: SizeResult[] = [];
  const all = sizes();
  for (const [i, n] of all.entries()) {
    process.stderr.write(`bench/ui: ${label(n)} predictions…\n`);
    results.push(await measure(ui, n, presses, i === all.length - 1));
    gc();
  }
  const small = results[0];
  const large = results[results.length - 1];
  const rows: BenchRow[] = [];
  for (const r of results) {
    const k = median(r.keyMs);
    const f = median(r.renderMs);
    rows.push({ metric: `key → frame median @ ${label(r.predictions)} rows (baseline: the bare Ink <Text>'s median)`, value: k, unit: 'ms', baseline: median(r.bareMs), ratio: k / median(r.bareMs), target: `< ${TARGET_FRAME_MS} ms`, met: k < TARGET_FRAME_MS });
    const p95 = quantile(r.keyMs, 0.95);
    const bare95 = quantile(r.bareMs, 0.95);
    rows.push({ metric: `key → frame p95 @ ${label(r.predictions)} rows (baseline: the same frames as one bare Ink <Text>)`, value: p95, unit: 'ms', baseline: bare95, ratio: p95 / bare95, target: `<= ${TARGET_KEY_P95_MS} ms (was ${PREVIOUS_KEY_P95_MS} ms)`, met: p95 <= TARGET_KEY_P95_MS });
    rows.push({ metric: `snapshot → frame median @ ${label(r.predictions)} rows`, value: f, unit: 'ms', target: `< ${TARGET_FRAME_MS} ms`, met: f < TARGET_FRAME_MS });
    rows.push({ metric: `snapshot → frame p95 @ ${label(r.predictions)} rows`, value: quantile(r.renderMs, 0.95), unit: 'ms', target: `< ${TARGET_FRAME_MS} ms`, met: quantile(r.renderMs, 0.95) < TARGET_FRAME_MS });
  }
  if (results.length > 1) {
    const kr = median(large.keyMs) / median(small.keyMs);
    rows.push({ metric: `key → frame ${label(large.predictions)} / ${label(small.predictions)}`, value: median(large.keyMs), unit: 'ms', baseline: median(small.keyMs), ratio: kr, target: `ratio <= ${TARGET_FLAT_RATIO}`, met: kr <= TARGET_FLAT_RATIO });
  }
  // Both threads, and this one also trained the two models with tfjs (the console's does not).
  rows.push({ metric: `rss after ingest + analysis @ ${label(large.predictions)} rows`, value: large.rssMb, unit: 'MB', target: `< ${TARGET_RSS_MB} MB`, met: large.rssMb < TARGET_RSS_MB });
  rows.push({ metric: `rss growth from the engine thread and ${label(large.predictions)} rows`, value: large.rssMb - large.rssBeforeMb, unit: 'MB' });
  if (large.retrainKeyMs.length > 0) {
    const m = median(large.retrainKeyMs);
    const mx = Math.max(...large.retrainKeyMs);
    rows.push({ metric: `key → frame median during retrain @ ${label(large.predictions)}`, value: m, unit: 'ms', target: `< ${TARGET_RETRAIN_KEY_MS} ms`, met: m < TARGET_RETRAIN_KEY_MS });
    rows.push({ metric: `key → frame max during retrain @ ${label(large.predictions)}`, value: mx, unit: 'ms', target: `< ${TARGET_RETRAIN_KEY_MS} ms`, met: mx < TARGET_RETRAIN_KEY_MS });
  }
  const notes = results.map((r) =>
    `${label(r.predictions)} predictions: ingested and analysed by the engine thread in ${r.catchUpSec.toFixed(1)} s (${r.framesWhileCatchingUp} frames drawn meanwhile); ` +
    `${r.keyMs.length} keys (max ${Math.max(...r.keyMs).toFixed(1)} ms, console thread's event loop blocked up to ${r.loopMaxMs.toFixed(0)} ms), ` +
    `per screen key → frame median ${Object.entries(r.perScreen).map(([k, v]) => `${k} ${median(v).toFixed(1)}`).join(' ')} ms; ` +
    `keys over ${TARGET_KEY_P95_MS} ms: ${r.keyMs.filter((k) => k > TARGET_KEY_P95_MS).length}, of which ${r.keyMs.filter((k, i) => k > TARGET_KEY_P95_MS && r.sinceFrameMs[i] < 1000 / ui.INK_OPTIONS.maxFps).length} came within Ink's ${Math.ceil(1000 / ui.INK_OPTIONS.maxFps)} ms frame interval after an engine-driven frame; ` +
    `${r.renderMs.length} engine-driven frames; rss ${r.rssBeforeMb.toFixed(0)} MB before the engine thread started (runtime, tfjs, two models trained on this thread), ${r.rssMb.toFixed(0)} MB after (this thread's heap ${r.heapMb.toFixed(0)} MB)` +
    (r.retrainKeyMs.length ? `; retrain ${r.retrainStatus} after ${r.retrainSec.toFixed(1)} s with ${r.retrainKeyMs.length} keys pressed meanwhile` : ''));
  notes.push(`Console at ${COLS}×${ROWS} as openConsole builds it: engine thread, React ${process.env.NODE_ENV === 'production' ? 'production' : `NODE_ENV=${process.env.NODE_ENV}`} build, Ink's render with the console's options (maxFps ${ui.INK_OPTIONS.maxFps}) on an in-memory TTY, colours on; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}.`);
  return { name: 'ui', rows, notes };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await main();
  const { fmt, table } = await import('./run.js');
  const body = r.rows.map((x) => [x.metric, x.unit, fmt(x.value), fmt(x.baseline), x.ratio === undefined ? '' : x.ratio.toFixed(2), x.target ?? '', x.met === undefined ? '' : x.met ? 'yes' : 'NO']);
  process.stdout.write(`${table(['metric', 'unit', 'value', 'baseline', 'ratio', 'target', 'met'], body)}\n`);
  for (const n of r.notes ?? []) process.stdout.write(`  ${n}\n`);
  process.exit(0);
}

/**
 * The console's responsiveness over a small and a large store, with the real engine.
 *
 * For 10^4 and 10^6 ingested prediction rows: two tiny models registered (a logistic
 * regression active, an MLP shadow, trained with tfjs on synthetic rows), shadow traffic for
 * both written as JSON lines and ingested with IngestService.scanOnce() while the engine
 * (ingest off, analytics on) follows the store; then `<App snapshots={engine} commands={ops}/>`
 * is rendered with ink-testing-library at 200×60 and measured:
 *
 *   key → frame   stdin.write('2') until the first frame that shows screen 2, cycling 2…6,1
 *   render        a snapshot published by the engine until the frame drawn from it (React +
 *                 sanitising the snapshot + Ink layout + output), for every frame the engine
 *                 caused while the keys were cycled and while idle
 *   rss           process.memoryUsage().rss after ingesting and analysing 10^6 rows (after a GC)
 *   key → frame   again at 10^6 while a retrain job (ops.retrain()) runs
 *
 * ink-testing-library renders in Ink's debug mode: every frame is written at once, without the
 * 30 fps throttle the real console has. So these are the cost of a frame; on a terminal a key
 * pressed within 33 ms of the previous frame may wait up to the rest of those 33 ms.
 *
 *   npx tsx bench/ui.ts [--rows 10000,1000000] [--keys 60] [--size 200x60] [--profile-retrain FILE.cpuprofile]
 */
import { mkdtempSync, rmSync, createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import React, { Profiler, type ProfilerOnRenderCallback } from 'react';
import { render } from 'ink-testing-library';
import { Box, Text } from 'ink';
import { App } from '../components/App.js';
import { DEFAULT_CONFIG, type Config } from '../src/config.js';
import { Engine } from '../src/engine/engine.js';
import { Operations } from '../src/engine/operations.js';
import type { Snapshot, SnapshotSource } from '../src/engine/snapshot.js';
import { IngestService } from '../src/ingest/ingestService.js';
import { initBackend } from '../src/models/backend.js';
import { trainArtifact } from '../src/models/trainArtifact.js';
import { saveArtifact } from '../src/registry/saveArtifact.js';
import { openDb } from '../store/db.js';
import { IngestStore } from '../store/ingestStore.js';
import { fullRowCounts } from '../store/counters.js';
import type { BenchResult, BenchRow } from './types.js';
import { mulberry32 } from '../src/util/random.js';

export const TARGET_FRAME_MS = 50;
/** Issue 14: key → frame p95 at 200×60 with 10^6 rows (49 ms when it was filed). */
export const TARGET_KEY_P95_MS = 30;
export const LAST_ROUND_KEY_P95_MS = 49;
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

/** The rendered console with a clock on every frame and on every snapshot handed to it. */
class Harness {
  private readonly r: ReturnType<typeof render>;
  private waiter: { test: (f: string) => boolean; resolve: (at: number) => void } | null = null;
  private snapshotAt: number | null = null;
  readonly renderMs: number[] = [];
  /** Per committed frame: React's render start to the frame written (React + commit + Ink output). */
  readonly frameMs: number[] = [];
  /** Per committed frame: React's own render time (Profiler actualDuration). */
  readonly reactMs: number[] = [];
  private lastWriteAt = -1;
  lastReactMs = 0;
  /** The synchronous part: React re-rendering inside the store listener. */
  readonly listenerMs: number[] = [];
  frames = 0;

  constructor(engine: Engine, ops: Operations) {
    // The App subscribes through this wrapper, so the time a snapshot reaches React is known.
    const source: SnapshotSource = {
      current: () => engine.current(),
      subscribe: (listener) => engine.subscribe((s: Snapshot) => {
        const t = performance.now();
        this.snapshotAt = t;
        listener(s);
        this.listenerMs.push(performance.now() - t);
      }),
    };
    // The Profiler gives when React began each committed render and how long React itself took;
    // the frame's write (Ink's layout and output, called from the commit) closes the interval.
    const onRender: ProfilerOnRenderCallback = (_id, _phase, actual, _base, start) => {
      this.reactMs.push(actual);
      this.lastReactMs = actual;
      if (this.lastWriteAt >= start) this.frameMs.push(this.lastWriteAt - start);
    };
    this.r = render(React.createElement(Profiler, { id: 'console', onRender },
      React.createElement(App, { snapshots: source, commands: ops, size: { columns: COLS, rows: ROWS }, noColor: true })));
    const stdout = this.r.stdout as unknown as { write: (frame: string) => void };
    const inner = stdout.write;
    stdout.write = (frame: string) => {
      const at = performance.now();
      this.lastWriteAt = at;
      inner(frame);
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
  }

  lastFrame(): string {
    return this.r.lastFrame() ?? '';
  }

  /**
   * The baseline, drawn right after each key in the same run: the frame that key produced, as
   * one bare Ink <Text> of the same bytes in a box of the same width. What Ink alone costs for
   * that output (React reconciling one node, layout, Output's grid, the write), so our
   * key → frame over it is what the console adds.
   */
  private bare: ReturnType<typeof render> | null = null;
  private bareWaiter: ((at: number) => void) | null = null;
  readonly bareMs: number[] = [];

  async drawBare(frame: string): Promise<number> {
    const el = React.createElement(Box, { width: COLS }, React.createElement(Text, null, frame));
    if (this.bare === null) {
      this.bare = render(el);
      const out = this.bare.stdout as unknown as { write: (frame: string) => void };
      const inner = out.write;
      out.write = (f: string) => {
        const at = performance.now();
        inner(f);
        const w = this.bareWaiter;
        this.bareWaiter = null;
        w?.(at);
      };
      await sleep(50);
    }
    const shown = new Promise<number>((resolve) => { this.bareWaiter = resolve; });
    const t0 = performance.now();
    this.bare.rerender(el);
    return (await shown) - t0;
  }

  /** ms from writing `key` to the first frame containing `marker`. */
  async press(key: string, marker: string, timeoutMs = 5_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const shown = new Promise<number>((resolve, reject) => {
      this.waiter = { test: (f) => f.includes(marker), resolve };
      timer = setTimeout(() => reject(new Error(`no frame with ${marker} within ${timeoutMs} ms after key ${key}`)), timeoutMs);
    });
    // A frame caused by the engine between here and the key would be counted as this key's.
    this.snapshotAt = null;
    const t0 = performance.now();
    this.r.stdin.write(key);
    try {
      return (await shown) - t0;
    } finally {
      clearTimeout(timer);
    }
  }

  /** React's render time of the frame each key produced, in order of the keys. */
  readonly keyReactMs: number[] = [];

  async cycle(presses: number, keyMs: number[], until?: () => boolean): Promise<void> {
    for (let i = 0; i < presses && (until === undefined || !until()); i++) {
      const s = CYCLE[i % CYCLE.length];
      keyMs.push(await this.press(s.key, s.marker));
      this.keyReactMs.push(this.lastReactMs);
      if (keyMs === this.measured) this.bareMs.push(await this.drawBare(this.lastFrame()));
      // An operator's pace between keys, and room for the engine's own frames.
      await sleep(15 + (i % 4) * 10);
    }
  }

  /** The key list whose keys get a baseline frame each (the measured cycle, not warm-up or retrain). */
  measured: number[] | null = null;

  unmount(): void {
    this.r.unmount();
    this.bare?.unmount();
  }
}

interface SizeResult {
  predictions: number;
  ingestSec: number;
  analyseSec: number;
  keyMs: number[];
  /** Per measured key: the same frame drawn by a bare Ink <Text> right after it. */
  bareMs: number[];
  renderMs: number[];
  rssMb: number;
  heapMb: number;
  retrainKeyMs: number[];
  retrainStatus: string;
  retrainSec: number;
  listenerMs: number[];
  frameMs: number[];
  reactMs: number[];
  decorateMs: number[];
  perScreen: Record<string, number[]>;
  perScreenReact: Record<string, number[]>;
  countsMs: number;
  buildMs: number[];
  loopMaxMs: number;
  baseRssMb: number;
}

async function measure(predictions: number, presses: number, withRetrain: boolean): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-ui-'));
  try {
    const cfg: Config = structuredClone(DEFAULT_CONFIG);
    cfg.db = join(dir, 'mlops.db');
    cfg.watch = join(dir, 'predictions');
    cfg.retrain.rows = 20_000;
    await registerModels(cfg.db);
    gc();
    const baseRssMb = process.memoryUsage().rss / 2 ** 20;
    await writeLogs(cfg.watch, predictions);

    const engine = new Engine({ config: cfg, ingest: false, backend: 'bench' });
    const errors: string[] = [];
    engine.on('error', (e: Error) => errors.push(e.message));
    const ops = new Operations(engine, cfg);
    await engine.start();

    // Ingest the way the console's own watcher does, on its own connection; the engine follows
    // the store by rowid cursors in the meantime, as it would while the console is open.
    const ingestDb = openDb(cfg.db);
    const t0 = performance.now();
    await new IngestService(new IngestStore(ingestDb), { dir: cfg.watch, limits: { maxLineBytes: cfg.ingest.maxLineBytes } }).scanOnce();
    const ingestSec = (performance.now() - t0) / 1000;
    ingestDb.close();
    const t1 = performance.now();
    await engine.caughtUp();
    const analyseSec = (performance.now() - t1) / 1000;
    const snap = engine.current();
    if (!snap || snap.ingest.predictions < predictions) throw new Error(`engine saw ${snap?.ingest.predictions ?? 0} of ${predictions} predictions`);
    gc();
    const mem = process.memoryUsage();

    // The engine builds each snapshot on the main thread: time it, it competes with keys.
    const buildMs: number[] = [];
    const build = engine.buildSnapshot.bind(engine);
    engine.buildSnapshot = () => {
      const t = performance.now();
      const out = build();
      buildMs.push(performance.now() - t);
      return out;
    };
    const decorateMs: number[] = [];
    const decorate = engine.decorate;
    if (decorate) {
      engine.decorate = (snap) => {
        const t = performance.now();
        decorate(snap);
        decorateMs.push(performance.now() - t);
      };
    }
    const h = new Harness(engine, ops);
    await sleep(300);
    // Warm-up: the first visit of each screen compiles and lays out its components.
    await h.cycle(CYCLE.length, []);
    h.renderMs.length = 0;
    h.listenerMs.length = 0;
    h.frameMs.length = 0;
    h.reactMs.length = 0;
    h.keyReactMs.length = 0;
    buildMs.length = 0;
    decorateMs.length = 0;
    const keyMs: number[] = [];
    h.measured = keyMs;
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    await h.cycle(presses, keyMs);
    loop.disable();
    const perScreen: Record<string, number[]> = {};
    keyMs.forEach((ms, i) => { (perScreen[CYCLE[i % CYCLE.length].marker] ??= []).push(ms); });
    const perScreenReact: Record<string, number[]> = {};
    h.keyReactMs.forEach((ms, i) => { (perScreenReact[CYCLE[i % CYCLE.length].marker] ??= []).push(ms); });
    // The store's counts are read for every snapshot on the main thread: time them at this size.
    const tc = performance.now();
    fullRowCounts(engine.db);
    const countsMs = performance.now() - tc;
    // Frames the engine causes on its own while nobody types (its snapshot cadence).
    await sleep(1500);

    const retrainKeyMs: number[] = [];
    let retrainStatus = 'not run';
    let retrainSec = 0;
    if (withRetrain) {
      const profileTo = arg('--profile-retrain');
      const session = profileTo ? new Session() : null;
      if (session) {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      const tr = performance.now();
      const res = await ops.retrain({ model: 'bench-logreg', type: 'mlp' });
      if (!res.ok) throw new Error(`retrain did not start: ${res.message}`);
      const job = () => engine.current()?.jobs[0];
      const finished = () => ['done', 'failed', 'cancelled', 'interrupted'].includes(job()?.status ?? '');
      // Keys for as long as the job runs (reading rows, training in its worker, registering).
      while (!finished() && performance.now() - tr < 120_000) await h.cycle(CYCLE.length, retrainKeyMs, finished);
      retrainSec = (performance.now() - tr) / 1000;
      retrainStatus = job()?.status ?? 'unknown';
      if (session && profileTo) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(profileTo, JSON.stringify(profile));
        session.disconnect();
      }
    }

    h.unmount();
    ops.close();
    await engine.stop();
    if (errors.length) process.stderr.write(`bench/ui: ${errors.length} engine error(s), the last: ${errors[errors.length - 1]}\n`);
    return {
      predictions, ingestSec, analyseSec, keyMs, bareMs: [...h.bareMs], renderMs: [...h.renderMs], frameMs: [...h.frameMs], reactMs: [...h.reactMs], decorateMs: [...decorateMs], perScreen, perScreenReact, countsMs, listenerMs: [...h.listenerMs], buildMs: [...buildMs],
      loopMaxMs: loop.max / 1e6, baseRssMb, rssMb: mem.rss / 2 ** 20, heapMb: mem.heapUsed / 2 ** 20,
      retrainKeyMs, retrainStatus, retrainSec,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const label = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

export async function main(): Promise<BenchResult> {
  const sizes = (arg('--rows') ?? '10000,1000000').split(',').map(Number).filter((n) => n > 0);
  const presses = Number(arg('--keys') ?? 60);
  await initBackend();
  const results: SizeResult[] = [];
  for (const [i, n] of sizes.entries()) {
    process.stderr.write(`bench/ui: ${label(n)} predictions…\n`);
    results.push(await measure(n, presses, i === sizes.length - 1));
    gc();
  }
  const small = results[0];
  const large = results[results.length - 1];
  const rows: BenchRow[] = [];
  for (const r of results) {
    const k = median(r.keyMs);
    const f = median(r.frameMs);
    rows.push({ metric: `key → frame median @ ${label(r.predictions)} rows`, value: k, unit: 'ms', target: `< ${TARGET_FRAME_MS} ms`, met: k < TARGET_FRAME_MS });
    const p95 = quantile(r.keyMs, 0.95);
    const bare95 = quantile(r.bareMs, 0.95);
    rows.push({ metric: `key → frame p95 @ ${label(r.predictions)} rows (baseline: the same frames as one bare Ink <Text>)`, value: p95, unit: 'ms', baseline: bare95, ratio: p95 / bare95, target: `<= ${TARGET_KEY_P95_MS} ms (last round ${LAST_ROUND_KEY_P95_MS} ms)`, met: p95 <= TARGET_KEY_P95_MS });
    rows.push({ metric: `bare Ink <Text> of the same frames, median @ ${label(r.predictions)} rows`, value: median(r.bareMs), unit: 'ms' });
    rows.push({ metric: `render per frame median @ ${label(r.predictions)} rows`, value: f, unit: 'ms', target: `< ${TARGET_FRAME_MS} ms`, met: f < TARGET_FRAME_MS });
    rows.push({ metric: `render per frame p95 @ ${label(r.predictions)} rows`, value: quantile(r.frameMs, 0.95), unit: 'ms', target: `< ${TARGET_FRAME_MS} ms`, met: quantile(r.frameMs, 0.95) < TARGET_FRAME_MS });
  }
  if (results.length > 1) {
    const kr = median(large.keyMs) / median(small.keyMs);
    const fr = median(large.frameMs) / median(small.frameMs);
    rows.push({ metric: `key → frame ${label(large.predictions)} / ${label(small.predictions)}`, value: median(large.keyMs), unit: 'ms', baseline: median(small.keyMs), ratio: kr, target: `ratio <= ${TARGET_FLAT_RATIO}`, met: kr <= TARGET_FLAT_RATIO });
    rows.push({ metric: `render ${label(large.predictions)} / ${label(small.predictions)}`, value: median(large.frameMs), unit: 'ms', baseline: median(small.frameMs), ratio: fr, target: `ratio <= ${TARGET_FLAT_RATIO}`, met: fr <= TARGET_FLAT_RATIO });
  }
  rows.push({ metric: `rss after ingest + analysis @ ${label(large.predictions)} rows`, value: large.rssMb, unit: 'MB', target: `< ${TARGET_RSS_MB} MB`, met: large.rssMb < TARGET_RSS_MB });
  // What the rows themselves cost, apart from the runtime: the absolute figure above includes
  // ~80 MB that tsx adds over the compiled build (engine + App + wasm backend: ~218 MB under
  // tsx, 136 MB compiled with `tsc`, measured on this machine) and the two models trained here.
  rows.push({ metric: `rss growth from ${label(large.predictions)} rows`, value: large.rssMb - large.baseRssMb, unit: 'MB' });
  if (large.retrainKeyMs.length > 0) {
    const m = median(large.retrainKeyMs);
    const mx = Math.max(...large.retrainKeyMs);
    rows.push({ metric: `key → frame median during retrain @ ${label(large.predictions)}`, value: m, unit: 'ms', target: `< ${TARGET_RETRAIN_KEY_MS} ms`, met: m < TARGET_RETRAIN_KEY_MS });
    rows.push({ metric: `key → frame max during retrain @ ${label(large.predictions)}`, value: mx, unit: 'ms', target: `< ${TARGET_RETRAIN_KEY_MS} ms`, met: mx < TARGET_RETRAIN_KEY_MS });
  }
  const notes = results.map((r) =>
    `${label(r.predictions)} predictions: ingest ${r.ingestSec.toFixed(1)} s, analysis caught up ${r.analyseSec.toFixed(1)} s later; ` +
    `${r.keyMs.length} keys (max ${Math.max(...r.keyMs).toFixed(1)} ms, event loop blocked up to ${r.loopMaxMs.toFixed(0)} ms), ` +
    `per screen key → frame median (React's part) ${Object.entries(r.perScreen).map(([k, v]) => `${k} ${median(v).toFixed(0)} (${median(r.perScreenReact[k] ?? []).toFixed(1)})`).join(' ')} ms; ` +
    `${r.frameMs.length} frames, React's share median ${median(r.reactMs).toFixed(1)} ms; ` +
    `snapshot published → frame written median ${median(r.renderMs).toFixed(1)} ms (${r.renderMs.length} engine-driven frames); ` +
    `main-thread engine work per snapshot: build median ${median(r.buildMs).toFixed(1)} / max ${Math.max(0, ...r.buildMs).toFixed(1)} ms ` +
    `(for scale: the full count queries of fullRowCounts(), which snapshots used before 5695e48, take ${r.countsMs.toFixed(1)} ms here), operations' decorate median ${median(r.decorateMs).toFixed(1)} / max ${Math.max(0, ...r.decorateMs).toFixed(1)} ms; ` +
    `rss ${r.baseRssMb.toFixed(0)} MB before any log (runtime, tfjs, two models), ${r.rssMb.toFixed(0)} MB after (heap ${r.heapMb.toFixed(0)} MB)` +
    (r.retrainKeyMs.length ? `; retrain ${r.retrainStatus} after ${r.retrainSec.toFixed(1)} s with ${r.retrainKeyMs.length} keys pressed meanwhile` : ''));
  notes.push(`App at ${COLS}×${ROWS} through ink-testing-library (Ink debug mode: no 30 fps throttle; the real console may add up to 33 ms to a key that follows a frame closely).`);
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

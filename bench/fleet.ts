/**
 * The price of the network hop (issue 17): lines/s from log files through
 * `ship` → JetStream → `ingest --from` into the store, with 1 and with 2
 * shipper processes, beside local `ingest` of the same lines from files in the
 * same run; then the end-to-end lag (line written → row committed) while the
 * hosts write at a steady 10k lines/s.
 *
 * A real nats-server (one node, JetStream on disk in a temp folder), the real
 * CLI for the shippers (child processes, started and connected before the
 * clock starts, so tsx's start-up is not counted), the consumer in this
 * process (NatsIngest into the SQLite store, through a sink that notes each
 * prediction's lag at commit).
 *
 *   npx tsx bench/fleet.ts [--lines N] [--rate LINES_PER_S] [--seconds S]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { openDb } from '../store/db.js';
import { IngestStore } from '../store/ingestStore.js';
import { FleetStore, type RemoteLine } from '../store/fleetStore.js';
import type { SchemaField } from '../store/ingestStore.js';
import { IngestService } from '../src/ingest/ingestService.js';
import { NatsIngest } from '../src/fleet/natsIngest.js';
import type { LineSink } from '../src/fleet/sink.js';
import { NatsCluster, natsServerBinary } from '../test/helpers/nats.js';
import { makeCorpus } from './ingest.js';
import type { BenchResult } from './types.js';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

interface Ship { proc: ChildProcess; stderr: () => string; exited: Promise<void> }

function startShip(cwd: string, dir: string, url: string, stream: string, host: string): Ship {
  const proc = spawn(process.execPath, ['--import', TSX, CLI, 'ship', '--watch', dir, '--nats', url, '--stream', stream, '--db', join(cwd, `${host}.ship.db`), '--host', host, '--replicas', '1'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<void>((r) => proc.on('close', () => r()));
  return { proc, stderr: () => err, exited };
}

/** Appends predictions whose ts is the wall clock at write time, every 50 ms, to keep `rate` lines/s over all dirs. */
const WRITER = `
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');
const { dirs, rate, seconds } = JSON.parse(process.argv[1]);
const tick = 50, per = Math.round(rate * tick / 1000 / dirs.length);
let n = 0, k = 0;
const t0 = performance.now();
function step() {
  const now = Date.now();
  for (const d of dirs) {
    const lines = [];
    for (let i = 0; i < per; i++, n++) lines.push('{"ts":' + now + ',"id":"lag-' + n + '","model":"m","version":1,"features":{"x":' + (n % 97) + ',"c":"' + 'abc'[n % 3] + '"},"prediction":' + (n % 2) + ',"score":0.5}');
    appendFileSync(join(d, 'p.jsonl'), lines.join('\\n') + '\\n');
  }
  k++;
  const el = performance.now() - t0;
  if (el >= seconds * 1000) { process.stdout.write(JSON.stringify({ n, ms: el })); return; }
  setTimeout(step, Math.max(0, t0 + k * tick - performance.now()));
}
step();
`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string, timeoutMs: number, ships: Ship[] = []): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`bench/fleet: timed out waiting for ${what}\n${ships.map((s) => s.stderr().slice(-1500)).join('\n')}`);
    await sleep(20);
  }
}

/** A sink that notes, at commit, how long ago each prediction was written (its ts is the write time). */
class LagSink implements LineSink {
  readonly lags: number[] = [];
  lines = 0;
  constructor(private readonly store: FleetStore, private readonly measure: boolean) {}
  commit(lines: RemoteLine[], fields: SchemaField[]) {
    const r = this.store.commit(lines, fields);
    const now = Date.now();
    this.lines += lines.length;
    if (this.measure) for (const l of lines) if (l.kind === 'prediction') this.lags.push(now - l.record.ts);
    return r;
  }
  schema(): SchemaField[] {
    return this.store.schema();
  }
}

/** Local ingest of the corpus from files: the baseline. */
async function localIngest(dir: string, files: Array<{ name: string; text: string }>): Promise<number> {
  const logs = join(dir, 'local');
  mkdirSync(logs);
  for (const f of files) writeFileSync(join(logs, f.name), f.text);
  const db = openDb(join(dir, 'local.db'));
  try {
    const service = new IngestService(new IngestStore(db), { dir: logs });
    const t = performance.now();
    await service.scanOnce();
    const s = (performance.now() - t) / 1000;
    return service.totals.lines / s;
  } finally {
    db.close();
  }
}

/** Ships the corpus with one shipper per file; returns lines/s from the files appearing to the last row committed. */
async function throughFleet(dir: string, url: string, stream: string, files: Array<{ name: string; text: string; lines: number }>): Promise<number> {
  const db = openDb(join(dir, `${stream}.db`));
  const sink = new LagSink(new FleetStore(db), false);
  const ingest = new NatsIngest(sink, { servers: [url], stream, durable: 'bench', replicas: 1 });
  const ships: Ship[] = [];
  try {
    const dirs = files.map((f, i) => { const d = join(dir, `${stream}-h${i}`); mkdirSync(d); return d; });
    files.forEach((_f, i) => ships.push(startShip(dir, dirs[i], url, stream, `h${i}`)));
    await ingest.start();
    await until(() => ships.every((s) => /stream \w+/.test(s.stderr())) && ingest.active, 'shippers and ingest ready', 60_000, ships);
    const total = files.reduce((n, f) => n + f.lines, 0);
    // Written beside the folder and renamed in: each file appears whole, at once.
    for (let i = 0; i < files.length; i++) writeFileSync(join(dir, `${stream}-${i}.tmp`), files[i].text);
    const t = performance.now();
    for (let i = 0; i < files.length; i++) renameSync(join(dir, `${stream}-${i}.tmp`), join(dirs[i], files[i].name));
    await until(() => sink.lines >= total, `${total} lines through ${stream}`, 600_000, ships);
    return total / ((performance.now() - t) / 1000);
  } finally {
    for (const s of ships) { s.proc.kill('SIGTERM'); await s.exited; }
    await ingest.stop();
    db.close();
  }
}

/** Two hosts write at `rate` lines/s in total for `seconds`; the lag of every prediction at commit. */
async function steadyLag(dir: string, url: string, rate: number, seconds: number, tag: string): Promise<{ p50: number; p95: number; max: number; achieved: number }> {
  const stream = `LAG${tag}`;
  const db = openDb(join(dir, `lag${tag}.db`));
  const sink = new LagSink(new FleetStore(db), true);
  const ingest = new NatsIngest(sink, { servers: [url], stream, durable: 'bench', replicas: 1 });
  const ships: Ship[] = [];
  try {
    const dirs = [0, 1].map((i) => { const d = join(dir, `lag${tag}-h${i}`); mkdirSync(d); return d; });
    dirs.forEach((d, i) => ships.push(startShip(dir, d, url, stream, `h${i}`)));
    await ingest.start();
    await until(() => ships.every((s) => /stream \w+/.test(s.stderr())) && ingest.active, 'shippers and ingest ready', 60_000, ships);
    // The writer is its own process: the consumer's commits in this one must not slow the schedule.
    const writer = spawn(process.execPath, ['-e', WRITER, JSON.stringify({ dirs, rate, seconds })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    writer.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    await new Promise<void>((r) => writer.on('close', () => r()));
    const { n, ms } = JSON.parse(out) as { n: number; ms: number };
    await until(() => sink.lines >= n, 'the lag run to drain', 300_000, ships);
    const sorted = [...sink.lags].sort((a, b) => a - b);
    const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    return { p50: q(0.5), p95: q(0.95), max: sorted[sorted.length - 1], achieved: n / (ms / 1000) };
  } finally {
    for (const s of ships) { s.proc.kill('SIGTERM'); await s.exited; }
    await ingest.stop();
    db.close();
  }
}

export async function main(opts: { lines?: number; rate?: number; seconds?: number } = {}): Promise<BenchResult> {
  const name = 'fleet';
  if (natsServerBinary() === null) return { name, rows: [], notes: ['skipped: nats-server is not installed (apt-get install nats-server)'] };
  const lines = opts.lines ?? 40_000;
  const rate = opts.rate ?? 10_000;
  const seconds = opts.seconds ?? 10;
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-fleet-'));
  const nats = await NatsCluster.start(dir, 1);
  try {
    const url = nats.urls;
    const corpus = makeCorpus(lines);
    const half = makeCorpus(Math.round(lines / 2));
    const one = [{ name: 'p.jsonl', text: corpus.text, lines: corpus.predictions + corpus.labels }];
    // Two hosts, distinct request ids (the store would take the same id twice as a copy).
    const two = [
      { name: 'p.jsonl', text: half.text, lines: half.predictions + half.labels },
      { name: 'p.jsonl', text: half.text.replaceAll('"id":"r-', '"id":"b-'), lines: half.predictions + half.labels },
    ];
    const local = await localIngest(dir, one);
    const ship1 = await throughFleet(dir, url, 'ONE', one);
    const ship2 = await throughFleet(dir, url, 'TWO', two);
    const lag = await steadyLag(dir, url, rate, seconds, 'A');
    // The same at a fifth of the rate: the pipeline's own latency when it is not behind.
    const low = Math.round(rate / 5);
    const lagLow = await steadyLag(dir, url, low, seconds, 'B');
    return {
      name,
      rows: [
        { metric: 'local ingest from files', value: Math.round(local), unit: 'lines/s' },
        { metric: '1 ship → JetStream → ingest', value: Math.round(ship1), unit: 'lines/s', baseline: Math.round(local), ratio: ship1 / local },
        { metric: '2 ships → JetStream → ingest', value: Math.round(ship2), unit: 'lines/s', baseline: Math.round(local), ratio: ship2 / local },
        { metric: `lag p50 at ${rate} lines/s written`, value: lag.p50, unit: 'ms' },
        { metric: `lag p95 at ${rate} lines/s written`, value: lag.p95, unit: 'ms' },
        { metric: `lag max at ${rate} lines/s written`, value: lag.max, unit: 'ms' },
        { metric: 'rate actually written in the lag run', value: Math.round(lag.achieved), unit: 'lines/s' },
        { metric: `lag p50 at ${low} lines/s written`, value: lagLow.p50, unit: 'ms' },
        { metric: `lag p95 at ${low} lines/s written`, value: lagLow.p95, unit: 'ms' },
      ],
      notes: [
        `${lines} lines (predictions of two models and labels, bench/ingest's corpus); one nats-server node, JetStream on disk; shippers are the real CLI, started before the clock.`,
        'ratio = fleet lines/s over local ingest of the same lines in the same run: the price of the network hop (parse and spool on the host, publish and ack, fetch, commit and ack).',
        `lag: from the line's write (its ts) to the commit of its row, while two hosts write ${rate} (then ${low}) lines/s in total for ${seconds} s; when the pipeline's rate above is below the written rate, the lag grows through the run and p50/p95 say how far behind it fell.`,
      ],
    };
  } finally {
    await nats.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (k: string): number | undefined => {
    const i = process.argv.indexOf(k);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const r = await main({ lines: arg('--lines'), rate: arg('--rate'), seconds: arg('--seconds') });
  for (const row of r.rows) console.log(`${row.metric.padEnd(42)} ${String(row.value).padStart(9)} ${row.unit}${row.ratio !== undefined ? `  (ratio ${row.ratio.toFixed(3)})` : ''}`);
  for (const n of r.notes ?? []) console.log(`  ${n}`);
  process.exit(0);
}

/**
 * The fleet tests' toolbox: the real CLI in child processes (ship, ingest
 * --from), a single NATS node with one host shipping to it, log writers whose
 * every line is remembered, and the store read back as counts and a checksum
 * per host.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { NatsCluster } from './nats.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'src/cli/main.ts');
const TSX = import.meta.resolve('tsx');

export interface Child {
  proc: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcess>();
after(() => { for (const p of live) p.kill('SIGKILL'); });

/** `env`: added to this process's environment (credentials the tests pass the way operators do). */
export function startCli(cwd: string, args: string[], env: Record<string, string> = {}): Child {
  // cwd is the temp dir so no mlops.config.json of the repo is picked up.
  const proc = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  live.add(proc);
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => { live.delete(proc); resolve({ code, signal }); });
  });
  return { proc, stderr: () => err, exited };
}

export async function kill9(c: Child): Promise<void> {
  c.proc.kill('SIGKILL');
  await c.exited;
}

export async function stop(c: Child): Promise<void> {
  c.proc.kill('SIGTERM');
  await c.exited;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 60_000, children: Child[] = []): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}\n${children.map((c, i) => `--- child ${i} stderr:\n${c.stderr().slice(-3000)}`).join('\n')}`);
    }
    await sleep(200);
  }
}

/** One host's log writer: every line it wrote, so the store can be checked against it. */
export class HostLog {
  readonly predictions: string[] = [];
  readonly labels: string[] = [];
  bad = 0;
  private n = 0;

  constructor(readonly host: string, readonly dir: string, readonly file = 'predictions.jsonl') {}

  /** Appends `count` predictions, a label for every 5th, and one bad line per call. */
  write(count: number): void {
    const out: string[] = [];
    for (let k = 0; k < count; k++) {
      const i = this.n++;
      const id = `${this.host}-${i}`;
      const prediction = (i * 7) % 3 === 0 ? 1 : 0;
      out.push(JSON.stringify({ ts: 981158400000 + i * 1000, id, model: 'm', version: 1, features: { x: i % 97, c: ['a', 'b', 'c'][i % 3] }, prediction, score: (i % 100) / 100 }));
      this.predictions.push(`${this.host}|${id}|m|1|${prediction}`);
      if (i % 5 === 0) {
        out.push(JSON.stringify({ ts: 981158400000 + i * 1000 + 60_000, id, label: i % 2 }));
        this.labels.push(`${this.host}|${id}|${i % 2}`);
      }
    }
    out.push(`{"broken line ${this.host} ${this.n}`);
    this.bad++;
    appendFileSync(join(this.dir, this.file), `${out.join('\n')}\n`);
  }
}

/** One serving host shipping to a single JetStream server, as startShippingNode leaves them. */
export interface ShippingNode {
  nats: NatsCluster;
  /** The host's log folder (`dir`/logs) and its writer. */
  logs: string;
  log: HostLog;
  /** ship's offsets and spool. */
  shipDb: string;
  /** Where an `ingest --from` of the test is to write (nothing is there yet). */
  storeDb: string;
  ship: Child;
}

/**
 * A single NATS server (JetStream storage under `dir`, stopped after the test) and one host's
 * `ship --watch dir/logs` to it. `lines`: predictions written before ship starts (none: the test
 * writes them); `args`: more ship flags (`--once`, `--spool-max N`).
 */
export async function startShippingNode(dir: string, opts: { host?: string; lines?: number; args?: string[] } = {}): Promise<ShippingNode> {
  const host = opts.host ?? 'web-1';
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const nats = await NatsCluster.start(dir, 1);
  after(() => nats.stopAll());
  const log = new HostLog(host, logs);
  if ((opts.lines ?? 0) > 0) log.write(opts.lines!);
  const shipDb = join(dir, 'ship.db');
  const ship = startCli(dir, ['ship', '--watch', logs, '--nats', nats.urls, '--db', shipDb, '--host', host, ...(opts.args ?? [])]);
  return { nats, logs, log, shipDb, storeDb: join(dir, 'store.db'), ship };
}

export function checksum(rows: string[]): string {
  return createHash('sha256').update([...rows].sort().join('\n')).digest('hex');
}

export interface StoreView {
  predictions: number;
  labels: number;
  quarantined: number;
  perHost: Map<string, { predictions: number; labels: number; quarantined: number }>;
  predictionSum: string;
  labelSum: string;
}

/** The store read back (read-only; the ingest may still be writing). */
export function readStore(dbPath: string): StoreView | null {
  let db: Database.Database;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
  } catch {
    return null;
  }
  try {
    db.pragma('busy_timeout = 5000');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE name = 'predictions'").all();
    if (tables.length === 0) return null;
    const preds = db.prepare('SELECT host, request_id, model, version, prediction FROM predictions').all() as Array<{ host: string; request_id: string; model: string; version: number; prediction: string }>;
    const labels = db.prepare('SELECT host, request_id, label FROM labels').all() as Array<{ host: string; request_id: string; label: string }>;
    const quar = db.prepare('SELECT host, count(*) AS n FROM quarantine GROUP BY host').all() as Array<{ host: string; n: number }>;
    const perHost = new Map<string, { predictions: number; labels: number; quarantined: number }>();
    const get = (h: string): { predictions: number; labels: number; quarantined: number } => {
      let c = perHost.get(h);
      if (!c) perHost.set(h, c = { predictions: 0, labels: 0, quarantined: 0 });
      return c;
    };
    for (const p of preds) get(p.host).predictions++;
    for (const l of labels) get(l.host).labels++;
    let quarantined = 0;
    for (const q of quar) { get(q.host).quarantined = q.n; quarantined += q.n; }
    return {
      predictions: preds.length,
      labels: labels.length,
      quarantined,
      perHost,
      predictionSum: checksum(preds.map((p) => `${p.host}|${p.request_id}|${p.model}|${p.version}|${JSON.parse(p.prediction)}`)),
      labelSum: checksum(labels.map((l) => `${l.host}|${l.request_id}|${JSON.parse(l.label)}`)),
    };
  } finally {
    db.close();
  }
}

/** What the store must hold for these writers, exactly. */
export function expected(logs: HostLog[]): StoreView {
  const perHost = new Map(logs.map((l) => [l.host, { predictions: l.predictions.length, labels: l.labels.length, quarantined: l.bad }]));
  return {
    predictions: logs.reduce((s, l) => s + l.predictions.length, 0),
    labels: logs.reduce((s, l) => s + l.labels.length, 0),
    quarantined: logs.reduce((s, l) => s + l.bad, 0),
    perHost,
    predictionSum: checksum(logs.flatMap((l) => l.predictions)),
    labelSum: checksum(logs.flatMap((l) => l.labels)),
  };
}

/** Every line in the store exactly once: counts, content checksums and each host's counts. */
export function assertExactlyOnce(got: StoreView, want: StoreView): void {
  assert.equal(got.predictions, want.predictions, 'predictions: none lost');
  assert.equal(got.labels, want.labels, 'labels: none lost');
  assert.equal(got.quarantined, want.quarantined, 'each bad line quarantined exactly once');
  assert.equal(got.predictionSum, want.predictionSum, 'prediction content checksum');
  assert.equal(got.labelSum, want.labelSum, 'label content checksum');
  for (const [host, counts] of want.perHost) assert.deepEqual(got.perHost.get(host), counts, `per-host counts of ${host}`);
}

/** The store has caught up when its counts reach the expected ones (copies could only add to them). */
export function caughtUp(dbPath: string, want: StoreView): boolean {
  const s = readStore(dbPath);
  return s !== null && s.predictions >= want.predictions && s.labels >= want.labels && s.quarantined >= want.quarantined;
}

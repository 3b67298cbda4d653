/**
 * Runs the benches one after another and closes with one summary table.
 *
 *   npm run bench                    every bench/*.ts that exports main()
 *   npm run bench -- ingest train    only these
 *   npm run bench -- ingest --predictions 100000   options go to the benches
 *   npm run bench -- --strict        exit 1 when a target is not met
 *
 * Each bench runs in its own child process: a bench that leaves handles open
 * (a tfjs backend, a worker) cannot hang the runner, one that crashes does not
 * take the others down, and every bench starts with a cold heap instead of the
 * garbage of the one before, which would skew its timings. The child sends the
 * returned BenchResult back over IPC; a bench that prints its own table and
 * returns nothing is listed as such.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult, BenchRow } from './types.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const SELF = basename(fileURLToPath(import.meta.url));
const NOT_BENCHES = new Set([SELF, 'types.ts']);

type Outcome =
  | { name: string; status: 'ok'; result: BenchResult; seconds: number }
  | { name: string; status: 'silent'; seconds: number }
  | { name: string; status: 'failed'; error: string; seconds: number };

type ChildMessage = { kind: 'result'; result: BenchResult } | { kind: 'silent' } | { kind: 'error'; error: string };

// Decided from the source so helper modules are never imported (and never
// run whatever they do at import time) just to find out they are not benches.
const EXPORTS_MAIN = /export\s+(async\s+)?function\s+main\s*\(|export\s+(const|let)\s+main\s*=|export\s*\{[^}]*\bmain\b[^}]*\}/;

export function discoverBenches(dir = BENCH_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !NOT_BENCHES.has(f))
    .filter((f) => EXPORTS_MAIN.test(readFileSync(join(dir, f), 'utf8')))
    .map((f) => f.slice(0, -3))
    .sort();
}

function isBenchResult(v: unknown): v is BenchResult {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Partial<BenchResult>;
  return typeof r.name === 'string' && Array.isArray(r.rows);
}

/** Inside the child: import one bench, run it, report back. */
async function child(name: string): Promise<void> {
  const send = (m: ChildMessage): Promise<void> => new Promise((resolve) => {
    if (process.send === undefined) { resolve(); return; }
    process.send(m, () => resolve());
  });
  try {
    const mod = (await import(pathToFileURL(join(BENCH_DIR, `${name}.ts`)).href)) as { main?: () => unknown };
    if (typeof mod.main !== 'function') throw new Error(`bench/${name}.ts does not export main()`);
    const out = await mod.main();
    await send(isBenchResult(out) ? { kind: 'result', result: out } : { kind: 'silent' });
    process.exit(0);
  } catch (err) {
    await send({ kind: 'error', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  }
}

function runChild(name: string, passThrough: string[]): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    // execArgv carries however this process was started (tsx's loader, a
    // --cpu-prof), so the child runs TypeScript the same way.
    const proc = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', name, ...passThrough], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let msg: ChildMessage | null = null;
    proc.on('message', (m: ChildMessage) => { msg = m; });
    proc.on('error', (err) => resolve({ name, status: 'failed', error: err.message, seconds: (Date.now() - started) / 1000 }));
    proc.on('exit', (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      const m = msg as ChildMessage | null;
      if (m?.kind === 'result') resolve({ name, status: 'ok', result: m.result, seconds });
      else if (m?.kind === 'silent') resolve({ name, status: 'silent', seconds });
      else if (m?.kind === 'error') resolve({ name, status: 'failed', error: m.error, seconds });
      else resolve({ name, status: 'failed', error: `exited with ${signal ?? `code ${code}`} before reporting`, seconds });
    });
  });
}

export function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return v === undefined ? '' : String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return v.toFixed(2);
  return v === 0 ? '0' : v.toPrecision(3);
}

function metCell(r: BenchRow): string {
  if (r.met === undefined) return '';
  return r.met ? 'yes' : 'NO';
}

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function printResult(r: BenchResult): void {
  const rows = r.rows.map((x) => [x.metric, x.unit, fmt(x.value), fmt(x.baseline), x.ratio === undefined ? '' : x.ratio.toFixed(2), x.target ?? '', metCell(x)]);
  process.stdout.write(`\n${table(['metric', 'unit', 'value', 'baseline', 'ratio', 'target', 'met'], rows)}\n`);
  for (const n of r.notes ?? []) process.stdout.write(`  ${n}\n`);
}

export function summaryRows(outcomes: Outcome[]): string[][] {
  const rows: string[][] = [];
  for (const o of outcomes) {
    if (o.status === 'ok') {
      if (o.result.rows.length === 0) rows.push([o.name, '(no rows)', '', '', '', '', '']);
      for (const x of o.result.rows) {
        rows.push([o.name, x.metric, `${fmt(x.value)} ${x.unit}`.trim(), fmt(x.baseline), x.ratio === undefined ? '' : x.ratio.toFixed(2), x.target ?? '', metCell(x)]);
      }
    } else if (o.status === 'silent') {
      rows.push([o.name, '(printed its own table above)', '', '', '', '', '']);
    } else {
      rows.push([o.name, `FAILED: ${o.error.split('\n')[0]}`, '', '', '', '', '']);
    }
  }
  return rows;
}

interface Args { names: string[]; passThrough: string[]; strict: boolean }

export function parseArgs(argv: string[], known: string[]): Args {
  const names: string[] = [];
  const passThrough: string[] = [];
  let strict = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--strict') { strict = true; continue; }
    if (a.startsWith('-')) { passThrough.push(a); continue; }
    // A bare word after an option is that option's value (`--predictions 1000`).
    const prev = argv[i - 1];
    if (prev !== undefined && prev.startsWith('-') && prev !== '--strict' && !prev.includes('=') && !known.includes(a.replace(/\.ts$/, ''))) {
      passThrough.push(a);
      continue;
    }
    names.push(a.replace(/^bench\//, '').replace(/\.ts$/, ''));
  }
  return { names, passThrough, strict };
}

async function runner(): Promise<number> {
  const known = discoverBenches();
  const args = parseArgs(process.argv.slice(2), known);
  const unknown = args.names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`bench: no bench named ${unknown.join(', ')} (have: ${known.join(', ') || 'none'})\n`);
    return 2;
  }
  const selected = args.names.length > 0 ? args.names : known;
  const outcomes: Outcome[] = [];
  for (const name of selected) {
    process.stdout.write(`\n=== bench/${name} ===\n`);
    const o = await runChild(name, args.passThrough);
    outcomes.push(o);
    if (o.status === 'ok') printResult(o.result);
    else if (o.status === 'failed') process.stdout.write(`bench/${name} failed: ${o.error}\n`);
    process.stdout.write(`(${o.seconds.toFixed(1)} s)\n`);
  }
  process.stdout.write(`\n=== summary ===\n${table(['bench', 'metric', 'value', 'baseline', 'ratio', 'target', 'met'], summaryRows(outcomes))}\n`);
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const unmet = outcomes.flatMap((o) => (o.status === 'ok' ? o.result.rows : [])).filter((r) => r.met === false).length;
  process.stdout.write(`${outcomes.length} bench(es), ${failed} failed, ${unmet} target(s) not met\n`);
  if (failed > 0) return 1;
  return args.strict && unmet > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--child');
  if (i >= 0) {
    await child(process.argv[i + 1]);
  } else {
    process.exitCode = await runner();
  }
}

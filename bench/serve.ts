/**
 * `mlops-tui serve` under load from autocannon on loopback, one active and two shadow models
 * (every request scored three times, three log lines), beside the same HTTP server returning a
 * constant: both read the body, parse it as JSON and answer with JSON, so the difference is
 * scoring, logging and bookkeeping.
 *
 *   1. p99 latency at a fixed 1,000 requests/s (autocannon's overallRate), both servers;
 *   2. throughput with 16 connections as fast as each answers, both servers.
 *
 * Each server is a child process (the real CLI for ours), so the load generator does not share
 * its event loop.
 *
 *   npx tsx bench/serve.ts [--seconds S]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { openDb } from '../store/db.js';
import { readCsv } from '../src/data/csv.js';
import { trainArtifact } from '../src/models/trainArtifact.js';
import { saveArtifact } from '../src/registry/saveArtifact.js';
import type { BenchResult } from './types.js';
import { argValue } from './args.js';

export const TARGET_P99_MS = 10;
export const RATE = 1000;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA = { hour: 'numeric', dow: 'categorical', distance: 'numeric', origin: 'categorical', destination: 'categorical' } as const;

export async function registry(dbPath: string): Promise<void> {
  const rows: Record<string, string>[] = [];
  let i = 0;
  for await (const row of readCsv(join(ROOT, 'sample-data', 'flights-2001q1.csv.gz'))) {
    if (i++ % 8 === 0) rows.push(row);
    if (rows.length >= 3000) break;
  }
  const db = openDb(dbPath);
  try {
    const op = { operator: 'bench', client: null };
    for (const [name, type, alias] of [['active-logreg', 'logreg', 'active'], ['shadow-mlp', 'mlp', 'shadow'], ['shadow-logreg', 'logreg', 'shadow']] as const) {
      const a = await trainArtifact(rows, { type, label: 'delayed', schema: { ...SCHEMA }, time: 'ts', epochs: 3 });
      saveArtifact(db, name, a, op, alias);
    }
  } finally {
    db.close();
  }
}

function listening(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      err += d;
      const m = pattern.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

// The constant server: the same body handling as serve (read, JSON.parse, JSON answer).
export const CONSTANT = `
const http = require('node:http');
const answer = JSON.stringify({ id: 'x', model: 'constant', version: 1, prediction: 0, score: 0.5, shadows: [] });
const s = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try { JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400); res.end(); return; }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(answer);
  });
});
s.listen(0, '127.0.0.1', () => process.stderr.write('serving on http://127.0.0.1:' + s.address().port + '\\n'));
process.on('SIGTERM', () => s.close(() => process.exit(0)));
`;

interface Load { p50: number; p99: number; rps: number; errors: number; non2xx: number }

async function load(url: string, seconds: number, rate: number | null): Promise<Load> {
  const body = JSON.stringify({ ts: '2001-03-02T18:00:00Z', features: { hour: 18, dow: 'Fri', distance: 405, origin: 'MCI', destination: 'MDW' } });
  const r = await autocannon({
    url: `${url}/predict`, method: 'POST', body, headers: { 'content-type': 'application/json' },
    connections: rate === null ? 16 : 32, duration: seconds, ...(rate === null ? {} : { overallRate: rate }),
  });
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}


export async function main(): Promise<BenchResult> {
  const seconds = argValue('--seconds', 10);
  const tmp = mkdtempSync(join(tmpdir(), 'mlops-bench-serve-'));
  const children: ChildProcess[] = [];
  try {
    const dbPath = join(tmp, 'mlops.db');
    process.stderr.write('serve bench: training one active and two shadow models\n');
    await registry(dbPath);
    const out = join(tmp, 'predictions');
    const ours = spawn(process.execPath, [join(ROOT, 'bin', 'mlops-tui.js'), '--db', dbPath, 'serve', '--port', '0', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    const constant = spawn(process.execPath, ['-e', CONSTANT], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(ours, constant);
    const [oursUrl, constUrl] = await Promise.all([listening(ours, /serving on (http:\/\/\S+)/), listening(constant, /serving on (http:\/\/\S+)/)]);
    // Warm both (JIT, tfjs kernels), then measure alternately.
    await load(oursUrl, 2, null);
    await load(constUrl, 2, null);
    const oursRate = await load(oursUrl, seconds, RATE);
    const constRate = await load(constUrl, seconds, RATE);
    const oursMax = await load(oursUrl, seconds, null);
    const constMax = await load(constUrl, seconds, null);
    const exited = new Promise((r) => ours.once('exit', r));
    ours.kill('SIGTERM');
    await exited;
    const logged = readdirSync(out).reduce((n, f) => n + readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean).length, 0);
    for (const l of [oursRate, constRate, oursMax, constMax]) {
      if (l.errors > 0 || l.non2xx > 0) throw new Error(`requests failed under load: ${l.errors} errors, ${l.non2xx} non-2xx`);
    }
    return {
      name: 'serve',
      rows: [
        { metric: `p99 latency at ${RATE} req/s`, value: oursRate.p99, unit: 'ms', baseline: constRate.p99, ratio: oursRate.p99 / Math.max(constRate.p99, 0.001), target: `< ${TARGET_P99_MS} ms`, met: oursRate.p99 < TARGET_P99_MS },
        { metric: `p50 latency at ${RATE} req/s`, value: oursRate.p50, unit: 'ms', baseline: constRate.p50 },
        { metric: 'achieved rate (asked 1000/s)', value: oursRate.rps, unit: 'req/s', baseline: constRate.rps },
        { metric: 'throughput, 16 connections', value: oursMax.rps, unit: 'req/s', baseline: constMax.rps, ratio: oursMax.rps / constMax.rps },
      ],
      notes: [
        'baseline: the same HTTP server returning a constant (body read, JSON.parse, JSON answer), run the same way',
        `ours: mlops-tui serve, 1 active + 2 shadow models, every request scored 3 times and logged as 3 lines; ${logged} lines in the log after SIGTERM`,
        `${seconds} s per measurement after a 2 s warm-up; autocannon on loopback in the bench process, each server a child process`,
      ],
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await main();
  for (const row of r.rows) process.stdout.write(`${row.metric.padEnd(34)} ${row.value.toFixed(2).padStart(10)} ${row.unit}${row.baseline === undefined ? '' : `  (constant server ${row.baseline.toFixed(2)})`}${row.target ? `  target ${row.target}: ${row.met ? 'met' : 'NOT met'}` : ''}\n`);
  for (const n of r.notes ?? []) process.stdout.write(`  ${n}\n`);
  process.exit(0);
}

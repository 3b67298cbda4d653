/**
 * Start-up of the commands scripts call every few seconds, beside `node -e 0` in the same
 * run: `--help`, `status --json`, `history` and `alerts` on a database of 10^6 prediction rows.
 * Median of 10 runs each, interleaved so a noisy neighbour hurts every command alike.
 *
 * Two paths are measured: the bundle (`npm run build`'s dist/ — scripts/bundle.ts — in a
 * temporary package, what an installed package runs; the < 200 ms target applies to it) and the
 * TypeScript sources through tsx (a fresh clone without a build, which pays for tsx's loader
 * and transpiling every module on every start: a developer's path, not held to the target).
 *
 *   npx tsx bench/startup.ts [--rows N] [--runs R]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { openDb } from '../store/db.js';
import { catchUpCounts } from '../store/counters.js';
import { makeCorpus } from './ingest.js';
import type { BenchResult, BenchRow } from './types.js';
import { argValue } from './args.js';
import { compiledPackage } from './compiledPackage.js';

export const TARGET_STARTUP_MS = 200;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');


/**
 * A database with `rows` prediction rows (two models scoring every request, a label for
 * every other one), inserted with the store's own migrations. Built once per size under
 * .bench-tmp/ and reused: building 10^6 rows takes longer than every start-up measured here.
 */
export function millionRowDb(rows: number): string {
  const dir = join(ROOT, '.bench-tmp');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `startup-${rows}.db`);
  if (existsSync(path)) {
    // A file built by an older build: opening it as a writer migrates it (the counters' backfill).
    openDb(path).close();
    return path;
  }
  process.stderr.write(`startup bench: building a database of ${rows.toLocaleString('en-US')} prediction rows (once, kept in .bench-tmp/)\n`);
  const building = `${path}.building`;
  rmSync(building, { force: true });
  const db = openDb(building);
  try {
    const insPred = db.prepare(`INSERT INTO predictions
      (request_id, model, version, ts, features, prediction, score, scores, file_id, line_no)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insLabel = db.prepare('INSERT INTO labels (request_id, ts, label, file_id, line_no) VALUES (?, ?, ?, ?, ?)');
    // In slices so the corpus never holds 10^6 rows of strings at once.
    const slice = 200_000;
    for (let done = 0; done < rows; done += slice) {
      const corpus = makeCorpus(Math.min(slice, rows - done), 'counter', 42 + done);
      db.transaction(() => {
        for (const r of corpus.rows) {
          if (r.kind === 'p') insPred.run([`${r.params[0]}-${done}`, ...r.params.slice(1)]);
          else insLabel.run([`${r.params[0]}-${done}`, ...r.params.slice(1)]);
        }
        // what the ingest writers do at every commit (store/counters.ts)
        catchUpCounts(db);
      })();
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  rmSync(`${building}-wal`, { force: true });
  rmSync(`${building}-shm`, { force: true });
  renameSync(building, path);
  return path;
}

interface Case { label: string; argv: string[]; env?: NodeJS.ProcessEnv }

/**
 * CPU time (user + system) of this process's waited-for children so far, ms; null off Linux.
 * Wall time on a loaded machine includes waiting for a core; CPU time does not, so the ratio
 * of CPU times says what start-up costs even when five sessions share the two cores. Read from
 * /proc/self/stat (cutime, cstime) in clock ticks of 10 ms: one run's figure is coarse, the
 * mean of ten is not.
 */
function childCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    return (Number(fields[13]) + Number(fields[14])) * 10; // cutime, cstime (fields 16, 17)
  } catch {
    return null;
  }
}

function timeOnce(c: Case): { wall: number; cpu: number | null } {
  const cpu0 = childCpuMs();
  const t = performance.now();
  const r = spawnSync(process.execPath, c.argv, { stdio: ['ignore', 'pipe', 'pipe'], env: c.env ?? process.env, maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  const cpu1 = childCpuMs();
  if (r.status !== 0) throw new Error(`${c.label} exited with ${r.status}: ${r.stderr.toString().trim().split('\n')[0]}`);
  return { wall: ms, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function main(): Promise<BenchResult> {
  const rows = argValue('--rows', 1_000_000);
  const runs = argValue('--runs', 10);
  const db = millionRowDb(rows);
  // The compiled path: what `npm run build` and an installed package run.
  process.stderr.write('startup bench: compiling into a temporary package for the compiled path\n');
  const pkg = compiledPackage();
  const BIN = pkg.bin;
  // The sources path: bin/ falls back to tsx only when dist/ is absent, so that case runs
  // src/cli/main.ts through tsx's loader directly, as the fallback does.
  const tsxMain = join(ROOT, 'src', 'cli', 'main.ts');
  const tsx = import.meta.resolve('tsx');
  const tsxEnv = { ...process.env, TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json') };
  const cases: Case[] = [
    { label: 'node -e 0', argv: ['-e', '0'] },
    { label: '--help (dist)', argv: [BIN, '--help'] },
    { label: 'status --json (dist)', argv: [BIN, '--db', db, 'status', '--json'] },
    { label: 'history (dist)', argv: [BIN, '--db', db, 'history'] },
    { label: 'alerts (dist)', argv: [BIN, '--db', db, 'alerts'] },
    { label: '--help (sources, tsx)', argv: ['--import', tsx, tsxMain, '--help'], env: tsxEnv },
    { label: 'status --json (sources, tsx)', argv: ['--import', tsx, tsxMain, '--db', db, 'status', '--json'], env: tsxEnv },
  ];
  const cwd = mkdtempSync(join(tmpdir(), 'mlops-bench-startup-'));
  const loadBefore = loadavg()[0];
  const times = new Map<string, number[]>(cases.map((c) => [c.label, []]));
  const cpus = new Map<string, number[]>(cases.map((c) => [c.label, []]));
  try {
    process.chdir(cwd); // no mlops.config.json of the repository gets picked up
    for (const c of cases) timeOnce(c); // warm the page cache and tsx's transpile cache
    for (let i = 0; i < runs; i++) {
      for (const c of cases) {
        const t = timeOnce(c);
        times.get(c.label)!.push(t.wall);
        if (t.cpu !== null) cpus.get(c.label)!.push(t.cpu);
      }
    }
  } finally {
    process.chdir(ROOT);
    rmSync(cwd, { recursive: true, force: true });
    pkg.remove();
  }
  const node = median(times.get('node -e 0')!);
  const out: BenchRow[] = cases.map((c) => {
    const ms = median(times.get(c.label)!);
    if (c.label === 'node -e 0') return { metric: c.label, value: ms, unit: 'ms' };
    const compiled = c.label.includes('(dist)');
    return {
      metric: c.label, value: ms, unit: 'ms', baseline: node, ratio: ms / node,
      ...(compiled ? { target: `< ${TARGET_STARTUP_MS} ms`, met: ms < TARGET_STARTUP_MS } : {}),
    };
  });
  if (cpus.get('node -e 0')!.length === runs) {
    const nodeCpu = mean(cpus.get('node -e 0')!);
    out.push({ metric: 'node -e 0, CPU', value: nodeCpu, unit: 'ms CPU' });
    for (const c of cases.filter((k) => k.label.includes('(dist)'))) {
      const v = mean(cpus.get(c.label)!);
      out.push({ metric: `${c.label}, CPU`, value: v, unit: 'ms CPU', baseline: nodeCpu, ratio: v / nodeCpu });
    }
  }
  return {
    name: 'startup',
    rows: out,
    notes: [
      `wall: median of ${runs} runs each, interleaved; CPU (user + system of the child, Linux): mean of the same runs; database of ${rows.toLocaleString('en-US')} prediction rows; baseline = node -e 0 in the same run`,
      `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after (2 cores here: above ~2, every figure includes waiting for a core)`,
      'the target applies to the bundle (dist/, npm run build; what an installed package runs); the sources path adds tsx\'s loader and transpiling',
    ],
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await main();
  for (const row of r.rows) process.stdout.write(`${row.metric.padEnd(30)} ${row.value.toFixed(0).padStart(6)} ms${row.ratio === undefined ? '' : `  ${row.ratio.toFixed(2)}× node`}${row.target ? `  target ${row.target}: ${row.met ? 'met' : 'NOT met'}` : ''}\n`);
  for (const n of r.notes ?? []) process.stdout.write(`  ${n}\n`);
}

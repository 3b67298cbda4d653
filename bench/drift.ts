/**
 * Drift costs, measured side by side in one run on one machine.
 *
 * (a) Refresh: compareDatasets of a reference profile against a live DatasetAccumulator window
 *     (10 numeric + 10 categorical features), timed after 10^4, 10^6 and 10^7 rows of history
 *     have been added to the same window. Only the refresh (toProfile + compareDatasets) is
 *     timed, as the median of interleaved runs; a refresh must not grow with history (target:
 *     largest / smallest ≤ 1.5).
 * (b) Offline: `offlineDrift` (the code behind `mlops-tui drift`) on two 1,000,000-row CSV
 *     files with the same 20 columns, end to end (read, parse, profile, compare), median of 3,
 *     target < 5 s; by default the current file is scanned in a worker while the reference is
 *     profiled, and the sequential time is printed too.
 *     Printed beside a plain sort-based two-sample KS on the same 10 numeric columns already in
 *     memory (copy, Float64Array sort, one merge sweep, p-value): the floor of the exact
 *     computation without any file reading. The timed run forces KS on the numeric columns so
 *     both sides compute the same statistic; the difference between the two statistics is
 *     reported (ours is computed from bounded samples). Also the real CLI as a child process,
 *     with its peak RSS, to show memory stays bounded.
 * (c) Peer: the CLI compiled (what an installed package runs) against bench/drift_peer.py
 *     (pandas + scipy, Evidently's large-sample defaults) on the same files, both as child
 *     processes, interleaved, best of 2 each; wall time (the target: ≤ 0.2×) and CPU time
 *     (user + sys, which moves less when the machine is shared), with the load average.
 *
 *   npx tsx bench/drift.ts [--rows N] [--history 1e4,1e6,1e7] [--no-cli]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { DatasetAccumulator } from '../src/drift/accumulators.js';
import { compareDatasets } from '../src/drift/columnDrift.js';
import { ksPValue, ksStatisticSorted } from '../src/drift/ks.js';
import { offlineDrift } from '../src/offline/offline.js';
import { buildProfile, type FeatureSchema } from '../src/drift/profile.js';
import { mulberry32 } from '../src/util/random.js';
import type { BenchResult, BenchRow } from './types.js';
import { compiledPackage } from './compiledPackage.js';

export const TARGET_REFRESH_RATIO = 1.5;
export const TARGET_OFFLINE_SECONDS = 5;
const RUNS = 3;

const NUMERIC = 10;
const CATEGORICAL = 10;
const numName = (j: number): string => `x${j}`;
const catName = (j: number): string => `c${j}`;
/** Cardinality of categorical column j: from 3 to 120, a typical mix of flags, airports, regions. */
const cardinality = (j: number): number => [3, 5, 7, 12, 20, 30, 50, 70, 100, 120][j % 10];
const categories = (j: number, extra = 0): string[] => Array.from({ length: cardinality(j) + extra }, (_, k) => `${catName(j)}_v${k}`);

const SCHEMA: FeatureSchema = Object.fromEntries([
  ...Array.from({ length: NUMERIC }, (_, j) => [numName(j), 'numeric' as const]),
  ...Array.from({ length: CATEGORICAL }, (_, j) => [catName(j), 'categorical' as const]),
]);

function normals(n: number, seed: number, mean = 0, sd = 1): Float64Array {
  const rand = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = mean + sd * r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = mean + sd * r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Skewed category indexes (a few frequent, a long tail), as real categorical columns are. */
function categoryIndexes(n: number, k: number, seed: number, extra = 0): Uint16Array {
  const rand = mulberry32(seed);
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const u = rand();
    out[i] = extra > 0 && u < 0.05 ? k + Math.floor(rand() * extra) : Math.floor(k * u * u);
  }
  return out;
}

interface Columns {
  nums: Float64Array[];
  cats: Uint16Array[];
}

/** Values rounded to 4 decimals, as they are written to the CSV, so the baseline sees the same numbers. */
export function makeColumns(n: number, seed: number, shifted: boolean): Columns {
  const nums = Array.from({ length: NUMERIC }, (_, j) => {
    const xs = normals(n, seed * 1000 + j, shifted && j < 3 ? 0.3 : 0, 1 + j / 10);
    for (let i = 0; i < n; i++) xs[i] = Math.round(xs[i] * 1e4) / 1e4;
    return xs;
  });
  const cats = Array.from({ length: CATEGORICAL }, (_, j) => categoryIndexes(n, cardinality(j), seed * 1000 + 100 + j, shifted && j < 2 ? 2 : 0));
  return { nums, cats };
}

export function writeCsv(path: string, cols: Columns, shifted: boolean): void {
  const fd = openSync(path, 'w');
  const names = Array.from({ length: CATEGORICAL }, (_, j) => categories(j, shifted ? 2 : 0));
  try {
    writeSync(fd, `${[...Array.from({ length: NUMERIC }, (_, j) => numName(j)), ...Array.from({ length: CATEGORICAL }, (_, j) => catName(j))].join(',')}\n`);
    const n = cols.nums[0].length;
    const CHUNK = 20_000;
    for (let start = 0; start < n; start += CHUNK) {
      const lines: string[] = [];
      for (let i = start; i < Math.min(n, start + CHUNK); i++) {
        let line = '';
        for (let j = 0; j < NUMERIC; j++) line += `${cols.nums[j][i]},`;
        for (let j = 0; j < CATEGORICAL; j++) line += j === CATEGORICAL - 1 ? names[j][cols.cats[j][i]] : `${names[j][cols.cats[j][i]]},`;
        lines.push(line);
      }
      writeSync(fd, `${lines.join('\n')}\n`);
    }
  } finally {
    closeSync(fd);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** (a) Refresh time at growing history. */
function refreshBench(checkpoints: number[]): { rows: BenchRow[]; notes: string[] } {
  // Reference: 100,000 rows profiled exactly, as a training profile would be.
  const refN = 100_000;
  const ref = makeColumns(refN, 1, false);
  const refCats = Array.from({ length: CATEGORICAL }, (_, j) => categories(j));
  const refRows = function* (): Generator<Record<string, unknown>> {
    for (let i = 0; i < refN; i++) {
      const row: Record<string, unknown> = {};
      for (let j = 0; j < NUMERIC; j++) row[numName(j)] = ref.nums[j][i];
      for (let j = 0; j < CATEGORICAL; j++) row[catName(j)] = refCats[j][ref.cats[j][i]];
      yield row;
    }
  };
  const refProfile = buildProfile(refRows(), SCHEMA);

  // History values are drawn from pools (cycled at a stride coprime to their size) so adding
  // 10^7 rows costs the accumulators' work, not the random number generator's.
  const POOL = 1 << 16;
  const numPools = Array.from({ length: NUMERIC }, (_, j) => normals(POOL, 500 + j, j < 3 ? 0.3 : 0, 1 + j / 10));
  const catPools = Array.from({ length: CATEGORICAL }, (_, j) => {
    const names = categories(j, 2);
    return Array.from(categoryIndexes(POOL, cardinality(j), 600 + j, j < 2 ? 2 : 0), (k) => names[k]);
  });
  // One window per history size, filled once; the refreshes are then timed in interleaved rounds
  // (1e4, 1e6, 1e7, 1e4, ...) so that load from other processes hits every size alike.
  const windows = checkpoints.map(() => new DatasetAccumulator(SCHEMA, refProfile, { seed: 7 }));
  const notes: string[] = [];
  checkpoints.forEach((target, w) => {
    const window = windows[w];
    const numAccs = Array.from({ length: NUMERIC }, (_, j) => window.columns[numName(j)]);
    const catAccs = Array.from({ length: CATEGORICAL }, (_, j) => window.columns[catName(j)]);
    const t0 = performance.now();
    for (let r = 0; r < target; r++) {
      for (let j = 0; j < NUMERIC; j++) numAccs[j].add(numPools[j][(r * (2 * j + 3) + j) & (POOL - 1)]);
      for (let j = 0; j < CATEGORICAL; j++) catAccs[j].add(catPools[j][(r * (2 * j + 5) + 7 * j) & (POOL - 1)]);
    }
    window.rows = target;
    notes.push(`history ${target}: adding the rows took ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed)`);
  });
  const refresh = (w: number): { ms: number; drifted: number } => {
    const s = performance.now();
    const results = compareDatasets(refProfile, windows[w].toProfile());
    return { ms: performance.now() - s, drifted: results.filter((x) => x.level === 'drift').length };
  };
  for (let r = 0; r < 5; r++) windows.forEach((_, w) => refresh(w)); // warm-up: JIT, caches
  const ROUNDS = 31;
  const times = checkpoints.map(() => [] as number[]);
  const drifted = checkpoints.map(() => 0);
  for (let r = 0; r < ROUNDS; r++) {
    windows.forEach((_, w) => {
      const x = refresh(w);
      times[w].push(x.ms);
      drifted[w] = x.drifted;
    });
  }
  const rows: BenchRow[] = [];
  const medians = times.map(median);
  checkpoints.forEach((target, w) => {
    rows.push({ metric: `refresh, 20 features, ${target.toExponential(0).replace('+', '')} rows of history`, value: medians[w], unit: 'ms' });
    notes.push(`history ${target}: refresh median ${medians[w].toFixed(2)} ms (min ${Math.min(...times[w]).toFixed(2)}, max ${Math.max(...times[w]).toFixed(2)}, ${ROUNDS} interleaved runs), ${drifted[w]} of 20 features at 'drift'`);
  });
  const ratio = Math.max(...medians) / Math.min(...medians);
  rows.push({
    metric: 'refresh time, largest / smallest history',
    value: ratio,
    unit: 'x',
    ratio,
    target: `<= ${TARGET_REFRESH_RATIO}`,
    met: ratio <= TARGET_REFRESH_RATIO,
  });
  return { rows, notes };
}

/** (b) Offline drift of two files against a plain sort-based KS. */
async function offlineBench(n: number, withCli: boolean): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-drift-'));
  const notes: string[] = [];
  try {
    const refPath = join(dir, 'reference.csv');
    const curPath = join(dir, 'current.csv');
    const ref = makeColumns(n, 11, false);
    const cur = makeColumns(n, 12, true);
    let t = performance.now();
    writeCsv(refPath, ref, false);
    writeCsv(curPath, cur, true);
    notes.push(`files: 2 × ${n} rows, ${(statSync(refPath).size / 1e6).toFixed(0)} + ${(statSync(curPath).size / 1e6).toFixed(0)} MB CSV, written in ${((performance.now() - t) / 1000).toFixed(1)} s (not timed)`);

    // The same statistic on both sides: KS on the numeric columns.
    const perFeature = Object.fromEntries(Array.from({ length: NUMERIC }, (_, j) => [numName(j), { method: 'ks' }]));
    const runs: number[] = [];
    let report: Awaited<ReturnType<typeof offlineDrift>> | null = null;
    for (let r = 0; r < RUNS; r++) {
      t = performance.now();
      report = await offlineDrift(refPath, curPath, { perFeature });
      runs.push(performance.now() - t);
    }
    const oursMs = median(runs);
    // The same without the worker, to show what the parallel scan buys on this machine.
    const seqRuns: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      t = performance.now();
      await offlineDrift(refPath, curPath, { perFeature, parallel: false });
      seqRuns.push(performance.now() - t);
    }
    const seqMs = median(seqRuns);

    const baselineRuns: number[] = [];
    const exact: Array<{ d: number; p: number }> = [];
    for (let r = 0; r < RUNS; r++) {
      t = performance.now();
      exact.length = 0;
      for (let j = 0; j < NUMERIC; j++) {
        const a = Float64Array.from(ref.nums[j]).sort();
        const b = Float64Array.from(cur.nums[j]).sort();
        const d = ksStatisticSorted(a, b);
        exact.push({ d, p: ksPValue(d, a.length, b.length).pValue });
      }
      baselineRuns.push(performance.now() - t);
    }
    const baselineMs = median(baselineRuns);
    notes.push(`offline runs: ${runs.map((x) => (x / 1000).toFixed(2)).join(', ')} s (sequential: ${seqRuns.map((x) => (x / 1000).toFixed(2)).join(', ')} s); sort-based KS runs: ${baselineRuns.map((x) => (x / 1000).toFixed(2)).join(', ')} s (medians reported)`);

    report = report!;
    let maxErr = 0;
    for (let j = 0; j < NUMERIC; j++) {
      const r = report.features.find((f) => f.feature === numName(j))!;
      maxErr = Math.max(maxErr, Math.abs(r.statistic - exact[j].d));
    }
    const tm = report.timings;
    notes.push(
      `offline (last run, current file ${tm.parallel ? 'scanned in a worker in parallel' : 'scanned after the reference'}): reference ${(tm.referenceMs / 1000).toFixed(2)} s (read + exact profile), then current ${(tm.currentMs / 1000).toFixed(2)} s, compare ${tm.compareMs.toFixed(0)} ms; ` +
        `dataset drift ${report.dataset.drifted ? 'yes' : 'no'}, drifted: ${report.dataset.driftedColumns.join(', ') || 'none'}`,
    );
    notes.push(`KS from the profiles (5,000-value systematic samples of exact profiles) vs exact KS on all ${n} values: max |ΔD| over the 10 numeric columns = ${maxErr.toExponential(2)} (exact D of x0 ${exact[0].d.toFixed(4)}, x9 ${exact[9].d.toFixed(4)})`);
    notes.push(`baseline = the 10 numeric columns already in memory: copy, Float64Array sort, sweep, p-value — no file reading, no categoricals, no PSI/missing-rate`);

    const rows: BenchRow[] = [
      {
        metric: `offline drift, 2 × ${n / 1e6}M-row CSV, 10 num + 10 cat (in process)`,
        value: oursMs / 1000,
        unit: 's',
        baseline: baselineMs / 1000,
        ratio: oursMs / baselineMs,
        target: `< ${TARGET_OFFLINE_SECONDS} s`,
        met: oursMs / 1000 < TARGET_OFFLINE_SECONDS,
      },
      { metric: 'offline drift, same files, without the worker (sequential)', value: seqMs / 1000, unit: 's', target: `< ${TARGET_OFFLINE_SECONDS} s`, met: seqMs / 1000 < TARGET_OFFLINE_SECONDS },
      { metric: 'plain sort-based KS, same 10 numeric columns in memory', value: baselineMs / 1000, unit: 's' },
      { metric: 'KS statistic, max abs error vs exact', value: maxErr, unit: '' },
    ];

    if (withCli) {
      // The CLI as users run it (compiled: `npm run build`, an installed package), and once from
      // the sources (bin/ falls back to tsx without dist/), whose loader adds to each thread's start.
      const pkg = compiledPackage();
      // The 274 MB of CSV just written (and the package just bundled) are flushed before any timed
      // run: the kernel's writeback of those dirty pages otherwise lands on whichever run comes
      // first (the CLI's first run measured 2.5 s here against 1.95 s once the disk was quiet).
      spawnSync('sync');
      const argv = ['drift', '--reference', refPath, '--current', curPath, '--json'];
      const python = peerPython();
      const script = fileURLToPath(new URL('./drift_peer.py', import.meta.url));
      // Interleaved, best of PEER_RUNS each: on a shared machine a run can lose seconds to others.
      const cliRuns: ChildRun[] = [];
      const peerRuns: ChildRun[] = [];
      const load0 = loadavg()[0];
      let sources: ChildRun;
      try {
        for (let r = 0; r < PEER_RUNS; r++) {
          cliRuns.push(timedChild(process.execPath, [pkg.bin, ...argv], dir));
          if (python) peerRuns.push(timedChild(python, [script, refPath, curPath], dir));
        }
        sources = timedChild(process.execPath, [fileURLToPath(new URL('../bin/mlops-tui.js', import.meta.url)), ...argv], dir);
      } finally {
        pkg.remove();
      }
      const load1 = loadavg()[0];
      const best = (runs: ChildRun[]): ChildRun => runs.reduce((a, b) => (b.ms < a.ms ? b : a));
      const c = best(cliRuns);
      rows.push({ metric: 'the CLI (compiled) as a child process, same files (incl. startup)', value: c.ms / 1000, unit: 's', target: `< ${TARGET_OFFLINE_SECONDS} s`, met: c.ms / 1000 < TARGET_OFFLINE_SECONDS });
      rows.push({ metric: 'the CLI from the sources (tsx), same files', value: sources.ms / 1000, unit: 's' });
      if (Number.isFinite(c.rssMb)) rows.push({ metric: 'the CLI: peak RSS', value: c.rssMb, unit: 'MB' });
      notes.push(`CLI exit code ${c.status} (1 = dataset drift); runs ${cliRuns.map((x) => (x.ms / 1000).toFixed(2)).join(', ')} s wall, ${cliRuns.map((x) => x.cpuSec.toFixed(2)).join(', ')} s CPU (user + sys, both threads)`);
      if (python === undefined) {
        notes.push('pandas + scipy peer skipped: python3 with pandas and scipy is not installed (Debian: apt-get install python3-pandas python3-scipy)');
      } else {
        rows.push(...peerRows(c, best(peerRuns), peerRuns, notes));
      }
      notes.push(`load average (1 min) ${load0.toFixed(1)} before the CLI and peer runs, ${load1.toFixed(1)} after (${cpus().length} cores)`);
    }
    return { rows, notes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const TARGET_PEER_RATIO = 0.2;
/** CLI and peer runs, interleaved; the best of each counts. */
const PEER_RUNS = 3;

interface ChildRun {
  ms: number;
  /** user + system CPU seconds of the child (all its threads), from /usr/bin/time; NaN without it. */
  cpuSec: number;
  rssMb: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a child to completion, timed; through /usr/bin/time where it exists for CPU time and peak RSS. */
function timedChild(cmd: string, args: string[], cwd: string): ChildRun {
  const timeBin = '/usr/bin/time';
  const useTime = existsSync(timeBin);
  const t = performance.now();
  const child = useTime
    ? spawnSync(timeBin, ['-f', '%U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, cwd })
    : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, cwd });
  const ms = performance.now() - t;
  const [user, sys, rssKb] = useTime ? child.stderr.trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN, NaN];
  return { ms, cpuSec: user + sys, rssMb: rssKb / 1024, status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** The first python3 with pandas and scipy: the first on PATH may be a pyenv or venv one without them. */
function peerPython(): string | undefined {
  return ['python3', '/usr/bin/python3'].find((py) => {
    const probe = spawnSync(py, ['-c', 'import pandas, scipy'], { encoding: 'utf8' });
    return !probe.error && probe.status === 0;
  });
}

/**
 * The peer: bench/drift_peer.py, pandas + scipy doing Evidently's large-sample defaults
 * (normalised Wasserstein, Jensen-Shannon) on the same files, reading included, as a child
 * process like our CLI (interpreter start included on both sides). Skipped with a note where
 * python3 lacks pandas or scipy (Debian: apt-get install python3-pandas python3-scipy).
 * Wall time is the target's measure; CPU time is printed beside it because it moves less when
 * other work shares the machine (the peer uses one core, ours two threads).
 */
function peerRows(cli: ChildRun, peer: ChildRun, peerRuns: ChildRun[], notes: string[]): BenchRow[] {
  if (peer.status !== 0) throw new Error(`bench/drift_peer.py failed: ${peer.stderr.trim().split('\n').pop()}`);
  const p = JSON.parse(peer.stdout) as { seconds: number; read_seconds: number; features: Record<string, { method: string; statistic: number }> };
  const ours = JSON.parse(cli.stdout) as { features: Array<{ feature: string; method: string; statistic: number }> };
  let maxDiff = 0;
  let compared = 0;
  for (const f of ours.features) {
    const q = p.features[f.feature];
    if (!q) continue;
    compared++;
    maxDiff = Math.max(maxDiff, Math.abs(f.statistic - q.statistic));
  }
  notes.push(`pandas + scipy peer: runs ${peerRuns.map((x) => (x.ms / 1000).toFixed(2)).join(', ')} s wall, ${peerRuns.map((x) => x.cpuSec.toFixed(2)).join(', ')} s CPU; best: read_csv ${p.read_seconds.toFixed(2)} s, statistics ${(p.seconds - p.read_seconds).toFixed(2)} s; ours (the CLI, default methods) ${(cli.ms / 1000).toFixed(2)} s; statistics of ${compared} features agree within ${maxDiff.toExponential(2)}`);
  const ratio = cli.ms / peer.ms;
  const cpuRatio = cli.cpuSec / peer.cpuSec;
  return [
    { metric: 'the CLI (compiled) vs pandas + scipy (Evidently defaults), same files, wall (last round 0.41)', value: cli.ms / 1000, unit: 's', baseline: peer.ms / 1000, ratio, target: `ratio <= ${TARGET_PEER_RATIO}`, met: ratio <= TARGET_PEER_RATIO },
    { metric: 'the same, CPU time (user + sys)', value: cli.cpuSec, unit: 's', baseline: peer.cpuSec, ratio: cpuRatio },
    { metric: 'statistic, max abs difference from the peer', value: maxDiff, unit: '' },
  ];
}

export async function main(): Promise<BenchResult> {
  const n = Number(arg('--rows') ?? 1_000_000);
  const history = (arg('--history') ?? '1e4,1e6,1e7').split(',').map(Number);
  const a = refreshBench(history);
  const b = await offlineBench(n, !process.argv.includes('--no-cli'));
  return { name: 'drift', rows: [...a.rows, ...b.rows], notes: [...a.notes, ...b.notes] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await main();
  for (const row of r.rows) {
    const extra = [row.baseline !== undefined ? `baseline ${row.baseline.toFixed(3)}` : '', row.ratio !== undefined ? `ratio ${row.ratio.toFixed(2)}` : '', row.target ? `target ${row.target}` : '', row.met === undefined ? '' : row.met ? 'met' : 'NOT met']
      .filter(Boolean)
      .join(', ');
    process.stdout.write(`${row.metric}: ${Number(row.value.toPrecision(4))} ${row.unit}${extra ? ` (${extra})` : ''}\n`);
  }
  for (const note of r.notes ?? []) process.stdout.write(`  ${note}\n`);
}

// Drift edge cases (issue 12, and issue 13 item 2), each through the real `drift` command on
// real files: the verdict, the statistic against scipy / Evidently's formula
// (test/fixtures/make_drift_edges.py) and the exit code a CI gate sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProfile } from '../../src/drift/profile.js';
import { compareColumn } from '../../src/drift/columnDrift.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');
const FX = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'drift_edges.json'), 'utf8')) as Record<string, number>;
const Z = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'drift_fixtures.json'), 'utf8')) as {
  proportionZ: Array<{ name: string; count1: number; nobs1: number; count2: number; nobs2: number; z: number; pValue: number }>;
}).proportionZ.find((c) => c.name === 'strong difference')!;

interface Run { code: number; stdout: string; stderr: string }
interface Feature {
  feature: string; kind: string; method: string; statistic: number | null; pValue: number | null; level: string; psi: number | null;
  missingRate: { reference: number; current: number; level: string }; newCategories: string[];
}
interface Report { current: { exact: boolean }; reference: { exact: boolean }; dataset: { drifted: boolean }; features: Feature[] }

function drift(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'drift', ...args], { cwd, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Writes a CSV of columns given as arrays of cells (strings written as they are). */
function csv(dir: string, name: string, cols: Record<string, Array<string | number>>): string {
  const names = Object.keys(cols);
  const n = cols[names[0]].length;
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((c) => String(cols[c][i])).join(','));
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const refX = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i * 7919) % 10007) / 100);
const curX = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i * 104729) % 20011) / 150 + 3);
const feature = (r: Report, name: string): Feature => r.features.find((f) => f.feature === name)!;
const close = (a: number | null, b: number, tol: number, what: string): void => assert.ok(a !== null && Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

async function json(args: string[], dir: string, code: number): Promise<Report> {
  const r = await drift([...args, '--json'], dir);
  assert.equal(r.code, code, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

test('an all-missing current column drifts by its missing rate; a file with no usable value is exit 2, no verdict', async () => {
  const dir = tempDir();
  const ab = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? 'a' : 'b'));
  const ref = csv(dir, 'ref.csv', { x: refX(2000), c: ab });
  const cur = csv(dir, 'cur.csv', { x: refX(2000), c: ab.map(() => 'N/A') });
  const r = await json(['--reference', ref, '--current', cur], dir, 1);
  const c = feature(r, 'c');
  assert.equal(c.statistic, null); // NaN in JSON: no statistic without values
  assert.equal(c.missingRate.current, 1);
  assert.equal(c.level, 'drift');
  assert.equal(feature(r, 'x').level, 'ok');
  assert.equal(r.dataset.drifted, true); // 1 of 2 columns at the default share 0.5

  const none = csv(dir, 'none.csv', { x: ab.map((_, i) => ['NA', '', 'NaN', 'null'][i % 4]), c: ab.map(() => '') });
  const n = await drift(['--reference', ref, '--current', none], dir);
  assert.equal(n.code, 2);
  assert.match(n.stderr, /no verdict: .*none\.csv has no usable values/);
  assert.equal(n.stdout, '');

  writeFileSync(join(dir, 'empty.csv'), 'x,c\n');
  const e = await drift(['--reference', ref, '--current', join(dir, 'empty.csv')], dir);
  assert.equal(e.code, 2);
  assert.match(e.stderr, /empty\.csv has no data rows/);
});

test('NaN, inf, NA, N/A, null and empty are missing values and never turn a numeric column categorical', async () => {
  const dir = tempDir();
  const tokens = ['NaN', 'inf', 'NA', 'N/A', 'null', '', '-inf', 'Infinity'];
  const withTokens = (xs: number[]): Array<string | number> => xs.map((x, i) => (i % 100 === 7 ? tokens[Math.floor(i / 100) % tokens.length] : x));
  // The first reference row is a token: it must not decide the column's kind either.
  const refVals = withTokens(refX(3000));
  refVals[0] = 'NA';
  const cats = (n: number): string[] => Array.from({ length: n }, (_, i) => (i % 50 === 3 ? 'NA' : ['ATL', 'ORD', 'DFW'][i % 3]));
  const ref = csv(dir, 'ref.csv', { x: refVals, origin: cats(3000) });
  const cur = csv(dir, 'cur.csv', { x: withTokens(refX(12000)), origin: cats(12000) });
  const r = await json(['--reference', ref, '--current', cur], dir, 0);
  const x = feature(r, 'x');
  assert.equal(x.kind, 'numeric');
  assert.equal(x.method, 'wasserstein');
  assert.equal(x.level, 'ok');
  // Row 0 was made a token too, so the reference has one more missing value than the fixture's rows.
  close(x.missingRate.reference, (FX.tokensMissingReference + 1) / 3000, 1e-12, 'reference missing rate');
  close(x.missingRate.current, FX.tokensMissingCurrent / 12000, 1e-12, 'current missing rate');
  // R's NA is a missing value, not a category.
  const origin = feature(r, 'origin');
  assert.deepEqual(origin.newCategories, []);
  close(origin.missingRate.current, 240 / 12000, 1e-12, 'NA counted as missing');

  // The list is configurable: where NA is a real category (Namibia), it is counted as one.
  writeFileSync(join(dir, 'mlops.config.json'), JSON.stringify({ missingValues: ['NaN', 'inf', '-inf', 'Infinity', 'N/A', 'null'] }));
  const cur2 = csv(dir, 'cur2.csv', { x: refX(12000), origin: cats(12000) });
  const ref2 = csv(dir, 'ref2.csv', { x: refX(3000), origin: Array.from({ length: 3000 }, (_, i) => ['ATL', 'ORD', 'DFW'][i % 3]) });
  const r2 = await json(['--reference', ref2, '--current', cur2], dir, 0);
  assert.deepEqual(feature(r2, 'origin').newCategories, ['NA']);
  assert.equal(feature(r2, 'origin').missingRate.current, 0);
});

test('the numeric statistic of a column with missing tokens is the one of its values (scipy)', async () => {
  const dir = tempDir();
  const tokens = ['NaN', 'inf', 'NA', 'N/A', 'null'];
  const withTokens = (xs: number[]): Array<string | number> => xs.map((x, i) => (i % 100 === 7 ? tokens[i % tokens.length] : x));
  const ref = csv(dir, 'ref.csv', { x: withTokens(refX(3000)) });
  const cur = csv(dir, 'cur.csv', { x: withTokens(refX(12000)) });
  const x = feature(await json(['--reference', ref, '--current', cur], dir, 0), 'x');
  close(x.statistic, FX.tokensWassersteinNorm, 1e-9, 'normalised Wasserstein');
});

test('PSI on low-cardinality numeric columns uses their values as bins (Evidently: precinct 1 → 5 is 18.4)', async () => {
  const dir = tempDir();
  const ref = csv(dir, 'ref.csv', {
    precinct: Array.from({ length: 2000 }, () => 1),
    flag: Array.from({ length: 2000 }, (_, i) => (i < 1400 ? 0 : 1)),
  });
  const cur = csv(dir, 'cur.csv', {
    precinct: Array.from({ length: 2000 }, () => 5),
    flag: Array.from({ length: 2000 }, (_, i) => (i < 1100 ? 0 : 1)),
  });
  const r = await json(['--reference', ref, '--current', cur], dir, 1);
  close(feature(r, 'precinct').psi, FX.precinctPsi, 1e-9, 'precinct PSI');
  assert.equal(feature(r, 'precinct').level, 'drift');
  close(feature(r, 'flag').psi, FX.flagPsi, 1e-9, 'flag PSI');
});

test('a numeric 0/1 column on a small reference runs the proportion Z-test, and says so', async () => {
  const dir = tempDir();
  const ref = csv(dir, 'ref.csv', { flag: Array.from({ length: Z.nobs1 }, (_, i) => (i < Z.count1 ? 0 : 1)) });
  const cur = csv(dir, 'cur.csv', { flag: Array.from({ length: Z.nobs2 }, (_, i) => (i < Z.count2 ? 0 : 1)) });
  const f = feature(await json(['--reference', ref, '--current', cur], dir, 1), 'flag');
  assert.equal(f.kind, 'numeric');
  assert.equal(f.method, 'z');
  close(f.statistic, Z.z, 1e-10, 'z (statsmodels)');
  close(f.pValue, Z.pValue, 1e-8, 'p (statsmodels)');
  assert.equal(f.level, 'drift');
});

test('columns with more than 1,000 distinct values are compared exactly, not on 5,000-value samples', async () => {
  const dir = tempDir();
  const ref = csv(dir, 'ref.csv', { x: refX(3000) });
  const cur = csv(dir, 'cur.csv', { x: curX(12000) });
  const r = await json(['--reference', ref, '--current', cur], dir, 1);
  assert.equal(r.current.exact, true);
  assert.equal(feature(r, 'x').method, 'wasserstein');
  close(feature(r, 'x').statistic, FX.exactWassersteinNorm, 1e-9, 'normalised Wasserstein (scipy)');
  writeFileSync(join(dir, 'mlops.config.json'), JSON.stringify({ drift: { perFeature: { x: { method: 'ks' } } } }));
  const k = feature(await json(['--reference', ref, '--current', cur], dir, 1), 'x');
  assert.equal(k.method, 'ks');
  close(k.statistic, FX.exactKs, 1e-12, 'KS statistic (scipy ks_2samp)');
});

test('category keys never touch Object.prototype: constructor, __proto__ and toString are categories (issue 13)', async () => {
  // Before the fix these columns compared as Jensen–Shannon NaN, level "ok", exit 0, although
  // 99.95% of the current rows moved to a new category.
  const dir = tempDir();
  const n = 2000;
  const refCol = Array.from({ length: n }, () => 'a');
  const shifted = (name: string): string[] => Array.from({ length: n }, (_, i) => (i === 0 ? 'a' : name));
  const ref = csv(dir, 'ref.csv', { c1: refCol, c2: refCol, c3: refCol });
  const cur = csv(dir, 'cur.csv', { c1: shifted('constructor'), c2: shifted('__proto__'), c3: shifted('toString') });
  const r = await json(['--reference', ref, '--current', cur], dir, 1);
  for (const [col, key] of [['c1', 'constructor'], ['c2', '__proto__'], ['c3', 'toString']] as const) {
    const f = feature(r, col);
    assert.equal(f.method, 'jensenshannon');
    close(f.statistic, FX.protoJs, 1e-12, `${col} JS (scipy)`);
    assert.equal(f.level, 'drift', col);
    assert.deepEqual(f.newCategories, [key]);
  }
  // The same through the profile the models store and the live windows compare with.
  const p = buildProfile(Array.from({ length: n }, (_, i) => ({ c: i === 0 ? 'a' : '__proto__' })), { c: 'categorical' });
  const q = buildProfile(refCol.map((c) => ({ c })), { c: 'categorical' });
  assert.equal(Object.getPrototypeOf(p.columns.c.kind === 'categorical' ? p.columns.c.counts : null), Object.prototype);
  const live = compareColumn('c', q.columns.c, p.columns.c);
  close(live.statistic, FX.protoJs, 1e-12, 'JS from profiles');
  assert.equal(live.level, 'drift');
});

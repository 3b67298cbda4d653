import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mulberry32 } from '../../src/util/random.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');
const FIXTURES = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'drift_fixtures.json'), 'utf8')) as {
  ks: Array<{ name: string; a: number[]; b: number[]; statistic: number; pValue: number }>;
};

interface Run { code: number; stdout: string; stderr: string }

function cli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'drift', ...args], { cwd, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

type Row = Record<string, number | string | boolean | null>;

function csvOf(rows: Row[]): string {
  const cols = Object.keys(rows[0]);
  const cell = (v: Row[string]): string => (v === null ? '' : String(v));
  return `${cols.join(',')}\n${rows.map((r) => cols.map((c) => cell(r[c])).join(',')).join('\n')}\n`;
}

/** Prediction-log lines (with a label line after every prediction, which must be skipped). */
function logOf(rows: Row[]): string {
  return rows
    .map((features, i) => [
      JSON.stringify({ ts: 981158400000 + i, id: `r-${i}`, model: 'm', version: 1, features, prediction: 1, score: 0.5 }),
      JSON.stringify({ ts: 981158400000 + i + 1000, id: `r-${i}`, label: i % 2 }),
    ].join('\n'))
    .join('\n') + '\n';
}

function plainJsonl(rows: Row[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

function rowsOf(n: number, seed: number, opts: { shift?: number; newCategory?: string } = {}): Row[] {
  const u = mulberry32(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const origins = ['ATL', 'ORD', 'DFW', 'LAX'];
  return Array.from({ length: n }, () => ({
    amount: Math.round((50 + 10 * (normal() + (opts.shift ?? 0))) * 100) / 100,
    distance: Math.round(200 + 800 * u()),
    origin: opts.newCategory && u() < 0.3 ? opts.newCategory : origins[Math.floor(u() * u() * origins.length)],
    weekend: u() < 0.3,
  }));
}

function stderrIsOneSentence(r: Run): void {
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `stderr: ${r.stderr}`);
  assert.match(lines[0], /^mlops-tui: \S.+/);
}

test('two samples of the same distribution: no dataset drift, exit 0, table and JSON', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'ref.csv'), csvOf(rowsOf(3000, 1)));
  writeFileSync(join(dir, 'cur.csv'), csvOf(rowsOf(2000, 2)));
  const text = await cli(['--reference', 'ref.csv', '--current', 'cur.csv'], dir);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^feature +kind +method +statistic +p-value +threshold +level +PSI +missing ref→cur +new +vanished$/m);
  assert.match(text.stdout, /^amount +numeric +wasserstein /m);
  assert.match(text.stdout, /^origin +categorical +jensenshannon /m);
  assert.match(text.stdout, /dataset drift: no/);

  const json = await cli(['--reference', 'ref.csv', '--current', 'cur.csv', '--json'], dir);
  assert.equal(json.code, 0, json.stderr);
  const r = JSON.parse(json.stdout);
  assert.equal(r.dataset.drifted, false);
  assert.equal(r.reference.rows, 3000);
  assert.equal(r.current.rows, 2000);
  assert.deepEqual(r.features.map((f: { feature: string }) => f.feature), ['amount', 'distance', 'origin', 'weekend']);
  for (const f of r.features) {
    assert.equal(f.level, 'ok', `${f.feature}: ${f.method} ${f.statistic}`);
    assert.equal(f.pValue, null); // distances above 1,000 reference rows
    assert.equal(f.threshold, 0.1);
  }
  assert.equal(r.features.find((f: { feature: string }) => f.feature === 'weekend').kind, 'categorical'); // booleans are categories
});

test('a mean shift and a new category: dataset drift, exit 1, JSON names both at level drift (prediction-log JSONL)', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'ref.jsonl'), logOf(rowsOf(800, 3)));
  writeFileSync(join(dir, 'cur.jsonl'), logOf(rowsOf(600, 4, { shift: 1, newCategory: 'SFO' })));
  const run = await cli(['--reference', 'ref.jsonl', '--current', 'cur.jsonl', '--json'], dir);
  assert.equal(run.code, 1, run.stderr);
  const r = JSON.parse(run.stdout);
  assert.equal(r.reference.rows, 800, 'label lines are not rows');
  assert.equal(r.current.rows, 600);
  assert.equal(r.dataset.drifted, true);
  assert.deepEqual(r.dataset.driftedColumns, ['amount', 'origin']);
  const byName = Object.fromEntries(r.features.map((f: { feature: string }) => [f.feature, f]));
  assert.equal(byName.amount.level, 'drift');
  assert.equal(byName.amount.method, 'ks'); // up to 1,000 reference rows: p-values
  assert.ok(byName.amount.pValue < 1e-10);
  assert.equal(byName.origin.level, 'drift');
  assert.equal(byName.origin.method, 'chisquare');
  assert.deepEqual(byName.origin.newCategories, ['SFO']);
  assert.equal(byName.origin.newCategoryCount, 1);
  assert.notEqual(byName.distance.level, 'drift');

  const text = await cli(['--reference', 'ref.jsonl', '--current', 'cur.jsonl'], dir);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /^origin +categorical +chisquare .* drift .* SFO$/m);
  assert.match(text.stdout, /dataset drift: YES — 2 of 4 columns drifted \(50\.0%, threshold 50\.0%\): amount, origin/);

  // A share the two drifted columns do not reach turns the verdict.
  const lenient = await cli(['--reference', 'ref.jsonl', '--current', 'cur.jsonl', '--share', '0.75'], dir);
  assert.equal(lenient.code, 0, lenient.stderr);
  // --features narrows the comparison.
  const one = JSON.parse((await cli(['--reference', 'ref.jsonl', '--current', 'cur.jsonl', '--json', '--features', 'distance'], dir)).stdout);
  assert.deepEqual(one.features.map((f: { feature: string }) => f.feature), ['distance']);
});

test('CSV, gzipped CSV, plain JSONL and prediction-log JSONL give the same result', async () => {
  const dir = tempDir();
  const ref = rowsOf(700, 5);
  const cur = rowsOf(500, 6, { shift: 0.2 });
  writeFileSync(join(dir, 'ref.csv'), csvOf(ref));
  writeFileSync(join(dir, 'cur.csv.gz'), gzipSync(csvOf(cur)));
  writeFileSync(join(dir, 'ref.jsonl'), plainJsonl(ref));
  writeFileSync(join(dir, 'cur.jsonl'), logOf(cur));
  const a = JSON.parse((await cli(['--reference', 'ref.csv', '--current', 'cur.csv.gz', '--json'], dir)).stdout);
  const b = JSON.parse((await cli(['--reference', 'ref.jsonl', '--current', 'cur.jsonl', '--json'], dir)).stdout);
  const c = JSON.parse((await cli(['--reference', 'ref.csv', '--current', 'cur.jsonl', '--json'], dir)).stdout);
  assert.equal(a.reference.format, 'csv');
  assert.equal(b.reference.format, 'jsonl');
  const strip = (r: { features: Array<Record<string, unknown>>; dataset: unknown }): unknown => ({ features: r.features, dataset: r.dataset });
  // Booleans are "true"/"false" both ways: JSON true becomes the category "true", as the CSV text does.
  assert.deepEqual(strip(b), strip(a));
  assert.deepEqual(strip(c), strip(a));
});

test('KS statistic and p-value of the CLI match scipy.stats.ks_2samp on reference samples up to 1,000 rows', async () => {
  const dir = tempDir();
  const cases = FIXTURES.ks.filter((k) => k.a.length <= 1000 && k.name !== 'identical');
  assert.ok(cases.length >= 5);
  for (const k of cases) {
    writeFileSync(join(dir, 'ref.csv'), `x\n${k.a.map(String).join('\n')}\n`);
    writeFileSync(join(dir, 'cur.csv'), `x\n${k.b.map(String).join('\n')}\n`);
    const run = await cli(['--reference', 'ref.csv', '--current', 'cur.csv', '--json'], dir);
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    const [f] = JSON.parse(run.stdout).features;
    assert.equal(f.method, 'ks', k.name);
    assert.ok(Math.abs(f.statistic - k.statistic) <= 1e-9, `${k.name}: D ${f.statistic} vs scipy ${k.statistic}`);
    assert.ok(Math.abs(f.pValue - k.pValue) <= 1e-6 * k.pValue, `${k.name}: p ${f.pValue} vs scipy ${k.pValue}`);
    assert.equal(run.code, f.level === 'drift' ? 1 : 0, 'one column: the dataset drifts exactly when it does');
  }
});

test('bad input exits 2 with one sentence on stderr', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'ref.csv'), csvOf(rowsOf(50, 7)));
  writeFileSync(join(dir, 'other.csv'), 'a,b\n1,2\n3,4\n');
  writeFileSync(join(dir, 'ragged.csv'), 'amount,origin\n1,ATL\n2\n');
  writeFileSync(join(dir, 'broken.jsonl'), '{"amount": 1}\n{"amount": 2\n');
  writeFileSync(join(dir, 'empty.csv'), 'amount,origin\n');
  writeFileSync(join(dir, 'notgz.csv.gz'), 'amount\n1\n');
  writeFileSync(join(dir, 'bad.config.json'), JSON.stringify({ drift: { perFeature: { amount: { method: 'magic' } } } }));
  writeFileSync(join(dir, 'typo.config.json'), JSON.stringify({ drift: { datasetShar: 0.5 } }));
  const cases: Array<[string, string[], RegExp]> = [
    ['missing file', ['--reference', 'nope.csv', '--current', 'ref.csv'], /nope\.csv does not exist/],
    ['no common columns', ['--reference', 'ref.csv', '--current', 'other.csv'], /no column in common/],
    ['ragged CSV', ['--reference', 'ref.csv', '--current', 'ragged.csv'], /ragged\.csv:3: expected 2 CSV fields, got 1/],
    ['broken JSONL', ['--reference', 'broken.jsonl', '--current', 'ref.csv'], /broken\.jsonl:2: not valid JSON/],
    ['no data rows', ['--reference', 'ref.csv', '--current', 'empty.csv'], /empty\.csv has no data rows/],
    ['not gzip', ['--reference', 'notgz.csv.gz', '--current', 'ref.csv'], /not a valid gzip file/],
    ['unknown feature', ['--reference', 'ref.csv', '--current', 'ref.csv', '--features', 'amount,nope'], /feature "nope" is not in the reference/],
    ['bad share', ['--reference', 'ref.csv', '--current', 'ref.csv', '--share', '0'], /--share must be a number in \(0, 1\]/],
    ['bad method in config', ['--config', 'bad.config.json', '--reference', 'ref.csv', '--current', 'ref.csv'], /perFeature\.amount\.method "magic"/],
    ['config typo', ['--config', 'typo.config.json', '--reference', 'ref.csv', '--current', 'ref.csv'], /unknown config key "drift\.datasetShar"/],
  ];
  for (const [what, args, message] of cases) {
    const r = await cli(args, dir);
    assert.equal(r.code, 2, `${what}: exit ${r.code}, stderr ${r.stderr}`);
    stderrIsOneSentence(r);
    assert.match(r.stderr, message, what);
    assert.equal(r.stdout, '', what);
  }
  const flag = await cli(['--reference', 'ref.csv', '--current', 'ref.csv', '--bogus'], dir);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--bogus'/);
  const missingFlag = await cli(['--reference', 'ref.csv'], dir);
  assert.equal(missingFlag.code, 2);
  assert.match(missingFlag.stderr, /--current <file>/);
});

test('--help explains the exit codes and shows an example', async () => {
  const r = await cli(['--help'], tempDir());
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Exit codes: 0 no dataset drift, 1 dataset drift, 2 bad input/);
  assert.match(r.stdout, /Examples:\n {2}mlops-tui drift --reference train\.csv\.gz --current today\.jsonl/);
});

test('the config pins kinds, overrides method and threshold per feature, and marks calendar features', async () => {
  const dir = tempDir();
  const u = mulberry32(9);
  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const ref = Array.from({ length: 2800 }, (_, i) => ({ dow: days[i % 7], hour: i % 24, zip: String(10000 + Math.floor(u() * 20)), amount: Math.round(u() * 1000) / 10 }));
  // One Tuesday: every hour, the same zips and amounts.
  const cur = Array.from({ length: 480 }, (_, i) => ({ dow: 'Tue', hour: i % 24, zip: String(10000 + Math.floor(u() * 20)), amount: Math.round(u() * 1000) / 10 }));
  writeFileSync(join(dir, 'ref.csv'), csvOf(ref));
  writeFileSync(join(dir, 'cur.csv'), csvOf(cur));

  const plain = JSON.parse((await cli(['--reference', 'ref.csv', '--current', 'cur.csv', '--json'], dir)).stdout);
  const dowPlain = plain.features.find((f: { feature: string }) => f.feature === 'dow');
  assert.equal(dowPlain.level, 'drift', 'a one-day file against a whole reference: day of week looks drifted');
  assert.equal(plain.features.find((f: { feature: string }) => f.feature === 'zip').kind, 'numeric');

  writeFileSync(join(dir, 'mlops.config.json'), JSON.stringify({
    features: { zip: 'categorical' },
    drift: { calendar: ['dow', 'hour'], perFeature: { amount: { method: 'psi', threshold: 0.5 } } },
  }));
  const run = await cli(['--reference', 'ref.csv', '--current', 'cur.csv', '--json'], dir);
  assert.equal(run.code, 0, run.stderr);
  const r = JSON.parse(run.stdout);
  const byName = Object.fromEntries(r.features.map((f: { feature: string }) => [f.feature, f]));
  assert.equal(byName.zip.kind, 'categorical');
  assert.equal(byName.amount.method, 'psi');
  assert.equal(byName.amount.threshold, 0.5);
  assert.equal(byName.dow.level, 'ok');
  assert.equal(byName.dow.statistic, 0);
  assert.match(byName.dow.note, /calendar feature/);
  assert.deepEqual(byName.dow.vanishedCategories, [], 'the other weekdays are not compared, so not vanished');
  assert.equal(byName.hour.level, 'ok');
  const text = await cli(['--reference', 'ref.csv', '--current', 'cur.csv'], dir);
  assert.match(text.stdout, /^dow \* +categorical/m);
  assert.match(text.stdout, /^\* calendar feature: compared with the reference rows of the same periods$/m);

  // A real change of a calendar feature is still seen: every hour present, but most rows at night.
  const shifted = cur.map((row, i) => ({ ...row, hour: i % 4 === 0 ? row.hour : i % 6 }));
  writeFileSync(join(dir, 'shifted.csv'), csvOf(shifted));
  const s = JSON.parse((await cli(['--reference', 'ref.csv', '--current', 'shifted.csv', '--json'], dir)).stdout);
  assert.equal(s.features.find((f: { feature: string }) => f.feature === 'hour').level, 'drift');
});

// The offline drift command on the real sample data against scipy (test/fixtures/
// make_offline_drift_fixture.py): month-level distances where the honest verdict is "no drift",
// and KS with p-values on small samples of two days, with the ties real data has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { tempDir } from '../helpers/tmp.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'mlops-tui.js');
const FIXTURE = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'offline_drift_fixture.json'), 'utf8')) as {
  rows: Record<string, number>;
  months: Record<'feb' | 'mar', Record<string, number>>;
  small: { reference: { rows: number }; current: { rows: number }; hour: { statistic: number; pValue: number }; distance: { statistic: number; pValue: number } };
};

interface Feature { feature: string; method: string; statistic: number; pValue: number | null; level: string }

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'drift', ...args], { cwd, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs scipy ${expected}`);
}

test('flights: February and March against January match scipy and are not drift; two days\' KS matches ks_2samp', async () => {
  const dir = tempDir();
  const lines = gunzipSync(readFileSync(join(ROOT, 'sample-data', 'flights-2001q1.csv.gz'))).toString('utf8').trimEnd().split('\n');
  const header = lines[0];
  const months: Record<string, string[]> = { '01': [], '02': [], '03': [] };
  const jan9: string[] = [];
  const feb9: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    months[line.slice(5, 7)].push(line);
    if (line.startsWith('2001-01-09')) jan9.push(line);
    if (line.startsWith('2001-02-09')) feb9.push(line);
  }
  for (const [m, rows] of Object.entries(months)) {
    assert.equal(rows.length, FIXTURE.rows[m]);
    writeFileSync(join(dir, `${m}.csv`), `${header}\n${rows.join('\n')}\n`);
  }
  const features = ['--features', 'hour,dow,distance,origin,destination'];
  for (const [m, name] of [['02', 'feb'], ['03', 'mar']] as const) {
    const run = await cli(['--reference', '01.csv', '--current', `${m}.csv`, '--json', ...features], dir);
    assert.equal(run.code, 0, `${name}: ${run.stderr}`);
    const r = JSON.parse(run.stdout);
    assert.equal(r.dataset.drifted, false);
    const f = Object.fromEntries((r.features as Feature[]).map((x) => [x.feature, x]));
    const want = FIXTURE.months[name];
    assert.equal(f.origin.method, 'jensenshannon');
    assert.equal(f.hour.method, 'wasserstein');
    close(f.origin.statistic, want.js_origin, 1e-9, `${name} JS origin`);
    close(f.destination.statistic, want.js_destination, 1e-9, `${name} JS destination`);
    close(f.dow.statistic, want.js_dow, 1e-9, `${name} JS dow`);
    // hour and distance have few distinct values: exact from value counts, no sampling.
    close(f.hour.statistic, want.wnorm_hour, 1e-9, `${name} Wasserstein hour`);
    close(f.distance.statistic, want.wnorm_distance, 1e-9, `${name} Wasserstein distance`);
    for (const x of r.features as Feature[]) assert.equal(x.level, 'ok', `${name} ${x.feature}`);
  }

  writeFileSync(join(dir, 'jan9.csv'), `${header}\n${jan9.slice(0, FIXTURE.small.reference.rows).join('\n')}\n`);
  writeFileSync(join(dir, 'feb9.csv'), `${header}\n${feb9.slice(0, FIXTURE.small.current.rows).join('\n')}\n`);
  const run = await cli(['--reference', 'jan9.csv', '--current', 'feb9.csv', '--json', '--features', 'hour,distance'], dir);
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  const f = Object.fromEntries((JSON.parse(run.stdout).features as Feature[]).map((x) => [x.feature, x]));
  for (const col of ['hour', 'distance'] as const) {
    assert.equal(f[col].method, 'ks');
    close(f[col].statistic, FIXTURE.small[col].statistic, 1e-9, `KS ${col}`);
    close(f[col].pValue!, FIXTURE.small[col].pValue, 1e-6 * FIXTURE.small[col].pValue, `KS p ${col}`);
  }
  assert.equal(f.hour.level, 'drift');
  assert.equal(f.distance.level, 'ok');
});

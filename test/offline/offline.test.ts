import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { restrictToCurrentPeriods } from '../../src/drift/calendar.js';
import { CategoryCounter } from '../../src/drift/categoryCounter.js';
import { offlineDrift, profileCurrentFile, profileReferenceFile } from '../../src/offline/offline.js';
import { buildProfile, type CategoricalProfile, type NumericProfile } from '../../src/drift/profile.js';
import { radixSortFloat64 } from '../../src/drift/radixSort.js';
import { mulberry32 } from '../../src/util/random.js';
import { scanTable } from '../../src/offline/tableReader.js';
import { tempDir } from '../helpers/tmp.js';

function normals(n: number, mean: number, sd: number, seed: number): number[] {
  const u = mulberry32(seed);
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()));
}

test('radix sort orders doubles exactly as TypedArray sort does', () => {
  const u = mulberry32(1);
  const specials = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 1, -1];
  for (const [n, gen] of [
    [100_000, () => (u() - 0.5) * 10 ** Math.floor(u() * 40 - 20)],
    [50_000, () => Math.floor(u() * 24)],
    [30_000, () => specials[Math.floor(u() * specials.length)]],
    [10, () => u() - 0.5],
    [5000, () => 42],
  ] as Array<[number, () => number]>) {
    const xs = Float64Array.from({ length: n }, gen);
    const want = Float64Array.from(xs).sort();
    const got = radixSortFloat64(Float64Array.from(xs));
    for (let i = 0; i < n; i++) assert.ok(Object.is(got[i], want[i]), `n=${n} at ${i}: ${got[i]} vs ${want[i]}`);
  }
  // A view into a larger buffer sorts only its own part.
  const big = Float64Array.from({ length: 6000 }, () => u());
  const copy = Float64Array.from(big);
  radixSortFloat64(big.subarray(1000, 5000));
  assert.deepEqual(big.subarray(0, 1000), copy.subarray(0, 1000));
  assert.deepEqual(big.subarray(5000), copy.subarray(5000));
  assert.deepEqual(big.subarray(1000, 5000), Float64Array.from(copy.subarray(1000, 5000)).sort());
});

test('numbers parsed in place from CSV fields equal Number() of the text', async () => {
  const dir = tempDir();
  const u = mulberry32(2);
  const texts = [
    '0', '-0', '1.', '.5', '-.25', '007', '123456789012345', '1234567890123456', '12345678901234567890',
    '0.1', '0.30000000000000004', '1e5', '-2.5E-3', ' 7', '8 ', 'abc', '1,5', '--1', '-', '.', '1.2.3', 'Infinity', '0x10',
    '9007199254740993', '0.000000000000000000001', '3.14159265358979',
  ];
  for (let i = 0; i < 2000; i++) {
    const digits = Math.floor(u() * 15) + 1;
    const s = String(Math.floor(u() * 10 ** digits));
    const dot = Math.floor(u() * (s.length + 1));
    texts.push(`${u() < 0.5 ? '-' : ''}${s.slice(0, dot)}.${s.slice(dot)}`);
  }
  const quoted = (t: string): string => (t.includes(',') ? `"${t}"` : t);
  writeFileSync(join(dir, 'n.csv'), `x,y\n${texts.map((t) => `${quoted(t)},k`).join('\n')}\n`);
  const seen: Array<[unknown, unknown]> = [];
  await scanTable(join(dir, 'n.csv'), (row) => seen.push([row.numeric(0), row.value(0)]));
  assert.equal(seen.length, texts.length);
  for (let i = 0; i < texts.length; i++) {
    const [num, raw] = seen[i];
    assert.equal(raw, texts[i]);
    if (typeof num === 'number') assert.ok(Object.is(num, Number(texts[i])), `${texts[i]}: ${num} vs ${Number(texts[i])}`);
    else assert.equal(num, texts[i], 'what is not parsed in place comes back as its text');
  }
  // Everything that is a plain decimal of up to 15 digits is parsed in place.
  assert.equal(typeof seen[texts.indexOf('123456789012345')][0], 'number');
  assert.equal(typeof seen[texts.indexOf('-.25')][0], 'number');
});

test('the category counter counts like a Map, in place or from values, and keeps "__proto__" a key', () => {
  const u = mulberry32(3);
  const c = new CategoryCounter();
  const want = new Map<string, number>();
  const line = Array.from({ length: 5000 }, () => `k${Math.floor(u() * u() * 3000)}`).join(',');
  let start = 0;
  for (const part of line.split(',')) {
    c.addSpan(line, start, start + part.length);
    want.set(part, (want.get(part) ?? 0) + 1);
    start += part.length + 1;
  }
  for (const v of ['__proto__', 'constructor', 7, true, null, '', undefined, NaN, 'é', '__proto__']) {
    c.add(v);
    if (v === null || v === '' || v === undefined || Number.isNaN(v)) continue;
    want.set(String(v), (want.get(String(v)) ?? 0) + 1);
  }
  const got = c.countsRecord();
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.deepEqual(new Map(Object.entries(got)), want);
  assert.equal(c.count, [...want.values()].reduce((a, b) => a + b, 0));
  assert.equal(c.profile(c.count + 4).missing, 4);
});

test('the reference profile of a file equals buildProfile of its rows, and the current one the same against the reference', async () => {
  const dir = tempDir();
  const u = mulberry32(4);
  const mk = (n: number, seed: number, shift: number): Array<Record<string, string>> => {
    const xs = normals(n, shift, 1, seed);
    return xs.map((x, i) => ({
      x: i % 50 === 0 ? '' : String(Math.round(x * 1000) / 1000),
      hour: String(i % 24),
      city: i % 37 === 0 ? '' : ['Paris', 'Lyon', 'Nice, FR', 'Brest'][Math.floor(u() * 4)],
    }));
  };
  const write = (name: string, rows: Array<Record<string, string>>): string => {
    const q = (s: string): string => (s.includes(',') ? `"${s}"` : s);
    writeFileSync(join(dir, name), `x,hour,city\n${rows.map((r) => [r.x, r.hour, r.city].map(q).join(',')).join('\n')}\n`);
    return join(dir, name);
  };
  const refRows = mk(7000, 5, 0);
  const curRows = mk(6000, 6, 0.1);
  const ref = await profileReferenceFile(write('ref.csv', refRows));
  assert.deepEqual(ref.schema, { x: 'numeric', hour: 'numeric', city: 'categorical' });
  assert.deepEqual(ref.profile, buildProfile(refRows, ref.schema));
  const cur = await profileCurrentFile(write('cur.csv', curRows), ref.schema, ref.profile);
  assert.equal(cur.exact, true);
  assert.deepEqual(cur.profile, buildProfile(curRows, ref.schema, ref.profile));
  assert.deepEqual((cur.profile.columns.city as CategoricalProfile).counts['Nice, FR'] > 0, true);
});

test('past the exact budget the current side continues in bounded reservoirs: moments, bins and counts stay exact', async () => {
  const dir = tempDir();
  const refXs = normals(20_000, 0, 1, 7);
  const curXs = normals(30_000, 0.5, 2, 8);
  writeFileSync(join(dir, 'ref.csv'), `x,c\n${refXs.map((x, i) => `${x},c${i % 9}`).join('\n')}\n`);
  writeFileSync(join(dir, 'cur.csv'), `x,c\n${curXs.map((x, i) => `${i % 100 === 0 ? '' : x},c${i % 11}`).join('\n')}\n`);
  const ref = await profileReferenceFile(join(dir, 'ref.csv'));
  const exact = await profileCurrentFile(join(dir, 'cur.csv'), ref.schema, ref.profile);
  const bounded = await profileCurrentFile(join(dir, 'cur.csv'), ref.schema, ref.profile, { exactValues: 10_000 });
  assert.equal(exact.exact, true);
  assert.equal(bounded.exact, false);
  const e = exact.profile.columns.x as NumericProfile;
  const b = bounded.profile.columns.x as NumericProfile;
  assert.equal(b.count, e.count);
  assert.equal(b.missing, 300);
  assert.equal(b.missing, e.missing);
  assert.ok(Math.abs(b.mean - e.mean) < 1e-12);
  assert.ok(Math.abs(b.std - e.std) < 1e-12);
  assert.deepEqual(b.binCounts, e.binCounts);
  assert.equal(b.sample.length, 5000);
  assert.deepEqual(bounded.profile.columns.c, exact.profile.columns.c);
  // The reservoir's quantiles are close to the exact ones (DKW: within ~0.03 in rank at 5,000 values).
  for (const q of [10, 50, 90]) assert.ok(Math.abs(b.quantiles[q] - e.quantiles[q]) < 0.15, `q${q}`);
});

test('a reference past the exact budget continues in accumulators: counts and moments exact, deciles close', async () => {
  const dir = tempDir();
  const xs = normals(40_000, 3, 2, 11);
  writeFileSync(join(dir, 'ref.csv'), `x,y\n${xs.map((x, i) => `${i % 40 === 0 ? '' : x},${i % 13}`).join('\n')}\n`);
  const exact = await profileReferenceFile(join(dir, 'ref.csv'));
  const bounded = await profileReferenceFile(join(dir, 'ref.csv'), { exactValues: 8192 });
  assert.equal(exact.exact, true);
  assert.equal(bounded.exact, false);
  assert.deepEqual(bounded.schema, exact.schema);
  const e = exact.profile.columns.x as NumericProfile;
  const b = bounded.profile.columns.x as NumericProfile;
  assert.equal(b.count, e.count);
  assert.equal(b.missing, 1000);
  assert.ok(Math.abs(b.mean - e.mean) < 1e-12);
  assert.ok(Math.abs(b.std - e.std) < 1e-12);
  assert.equal(b.binCounts.reduce((p, q) => p + q, 0), b.count);
  for (let k = 1; k < 10; k++) assert.ok(Math.abs(b.binEdges[k] - e.binEdges[k]) < 0.25, `edge ${k}: ${b.binEdges[k]} vs ${e.binEdges[k]}`); // ~4,000 values read: SE of a decile ≈ 0.06
  // Low-cardinality columns keep exact value counts either way.
  assert.deepEqual((bounded.profile.columns.y as NumericProfile).valueCounts, (exact.profile.columns.y as NumericProfile).valueCounts);
  const r = await offlineDrift(join(dir, 'ref.csv'), join(dir, 'ref.csv'), { exactValues: 8192 });
  assert.equal(r.reference.exact, false);
  assert.equal(r.current.exact, false);
  assert.equal(r.dataset.drifted, false);
  for (const f of r.features) assert.equal(f.level, 'ok');
});

test('schema inference: numbers then text is categorical with every spelling kept; pins win; booleans are categories', async () => {
  const dir = tempDir();
  const lines = ['zip,flag,n,code'];
  for (let i = 0; i < 300; i++) lines.push(`0${2100 + (i % 5)},${i % 2 === 0},${i % 7},${i % 3}`);
  lines.push('A1B,true,,x');
  writeFileSync(join(dir, 'ref.csv'), `${lines.join('\n')}\n`);
  const ref = await profileReferenceFile(join(dir, 'ref.csv'), { pinned: { n: 'categorical', code: 'numeric' } });
  assert.deepEqual(ref.schema, { zip: 'categorical', flag: 'categorical', n: 'categorical', code: 'numeric' });
  const zip = ref.profile.columns.zip as CategoricalProfile;
  assert.deepEqual(zip.counts, { '02100': 60, '02101': 60, '02102': 60, '02103': 60, '02104': 60, A1B: 1 });
  assert.equal(zip.missing, 0);
  assert.deepEqual(Object.keys((ref.profile.columns.flag as CategoricalProfile).counts).sort(), ['false', 'true']);
  assert.equal((ref.profile.columns.n as CategoricalProfile).missing, 1);
  const code = ref.profile.columns.code as NumericProfile;
  assert.equal(code.count, 300, 'text in a pinned numeric column is missing');
  assert.equal(code.missing, 1);
});

test('JSONL: features of prediction lines, label lines skipped, nested values ignored, late keys missing before they appear, --model', async () => {
  const dir = tempDir();
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) {
    const features: Record<string, unknown> = { a: i, tags: ['x'], nested: { y: 1 } };
    if (i >= 30) features.late = 'v';
    lines.push(JSON.stringify({ ts: i, id: `r${i}`, model: i % 2 ? 'm1' : 'm2', version: 1, features, prediction: 0, score: 0.1 }));
    lines.push(JSON.stringify({ ts: i, id: `r${i}`, label: 1 }));
  }
  writeFileSync(join(dir, 'log.jsonl'), `${lines.join('\n')}\n\n`);
  const ref = await profileReferenceFile(join(dir, 'log.jsonl'));
  assert.equal(ref.profile.rows, 40);
  assert.deepEqual(ref.schema, { a: 'numeric', late: 'categorical' });
  assert.equal((ref.profile.columns.late as CategoricalProfile).missing, 30);
  const cur = await profileCurrentFile(join(dir, 'log.jsonl'), ref.schema, ref.profile);
  assert.equal((cur.profile.columns.late as CategoricalProfile).missing, 30);
  assert.deepEqual(cur.extra, [], 'nested values are not columns');
  const m1 = await profileReferenceFile(join(dir, 'log.jsonl'), { model: 'm1' });
  assert.equal(m1.profile.rows, 20);
  assert.equal((m1.profile.columns.a as NumericProfile).min, 1);
});

test('a numeric column that only appears in a later JSONL row of the current file counts the earlier rows as missing', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'ref.jsonl'), Array.from({ length: 20 }, (_, i) => JSON.stringify({ a: i, b: i * 2 })).join('\n'));
  writeFileSync(join(dir, 'cur.jsonl'), Array.from({ length: 20 }, (_, i) => JSON.stringify(i < 5 ? { a: i } : { a: i, b: i })).join('\n'));
  const ref = await profileReferenceFile(join(dir, 'ref.jsonl'));
  for (const exactValues of [undefined, 3]) {
    const cur = await profileCurrentFile(join(dir, 'cur.jsonl'), ref.schema, ref.profile, { exactValues });
    const b = cur.profile.columns.b as NumericProfile;
    assert.equal(b.count, 15);
    assert.equal(b.missing, 5);
  }
});

test('calendar restriction keeps the reference rows of the periods the current data covers', () => {
  const ref = buildProfile(Array.from({ length: 700 }, (_, i) => ({ dow: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][i % 7], hour: i % 24 })), { dow: 'categorical', hour: 'numeric' });
  const cur = buildProfile(Array.from({ length: 48 }, (_, i) => ({ dow: 'Tue', hour: i % 12 })), { dow: 'categorical', hour: 'numeric' }, ref);
  const dow = restrictToCurrentPeriods(ref.columns.dow, cur.columns.dow) as CategoricalProfile;
  assert.deepEqual(dow.counts, { Tue: 100 });
  assert.equal(dow.count, 100);
  const hour = restrictToCurrentPeriods(ref.columns.hour, cur.columns.hour) as NumericProfile;
  assert.equal(hour.count, 12 * 29 + 4, 'hours 0..11: 700 = 29×24 + 4 rows, the extra 4 at hours 0..3');
  assert.equal(hour.max, 11);
  assert.deepEqual(hour.binEdges, (ref.columns.hour as NumericProfile).binEdges);
  // Covering every period changes nothing.
  assert.equal(restrictToCurrentPeriods(ref.columns.dow, ref.columns.dow), null);
});

test('offlineDrift: per-feature override validation and the dataset verdict', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'ref.csv'), `x,c\n${normals(500, 0, 1, 9).map((x, i) => `${x},c${i % 4}`).join('\n')}\n`);
  writeFileSync(join(dir, 'cur.csv'), `x,c,extra\n${normals(400, 2, 1, 10).map((x, i) => `${x},c${i % 4},1`).join('\n')}\n`);
  const r = await offlineDrift(join(dir, 'ref.csv'), join(dir, 'cur.csv'));
  assert.deepEqual(r.dataset.driftedColumns, ['x']);
  assert.equal(r.dataset.drifted, true, '1 of 2 reaches the default share of 0.5');
  assert.deepEqual(r.onlyInCurrent, ['extra']);
  const onlyX = await offlineDrift(join(dir, 'ref.csv'), join(dir, 'cur.csv'), { features: ['x'] });
  assert.deepEqual(onlyX.onlyInCurrent, ['extra'], 'a reference column left out by --features is not "only in the current"');
  const strict = await offlineDrift(join(dir, 'ref.csv'), join(dir, 'cur.csv'), { share: 0.6 });
  assert.equal(strict.dataset.drifted, false);
  await assert.rejects(offlineDrift(join(dir, 'ref.csv'), join(dir, 'cur.csv'), { perFeature: { c: { method: 'ks' } } }), /needs a numeric feature/);
  const psi = await offlineDrift(join(dir, 'ref.csv'), join(dir, 'cur.csv'), { perFeature: { x: { method: 'psi' } } });
  assert.equal(psi.features[0].method, 'psi');
  assert.equal(psi.features[0].threshold, 0.1);
});

test('the current file scanned in a worker (in parallel with the reference) gives the same report as scanning it after', async () => {
  const dir = tempDir();
  const u = mulberry32(12);
  const row = (i: number, shift: number, late: boolean): string =>
    `${normals(1, shift, 1, i)[0]},${Math.floor(u() * 30)},c${Math.floor(u() * u() * 12)},${late && i > 2500 ? 'text' : i % 17}`;
  writeFileSync(join(dir, 'ref.csv'), `x,n,c,mixed\n${Array.from({ length: 4000 }, (_, i) => row(i, 0, true)).join('\n')}\n`);
  writeFileSync(join(dir, 'cur.csv'), `x,n,c,mixed\n${Array.from({ length: 3000 }, (_, i) => row(i + 10_000, 0.3, false)).join('\n')}\n`);
  const strip = (r: Awaited<ReturnType<typeof offlineDrift>>): unknown => ({ features: r.features, dataset: r.dataset, current: r.current, onlyInCurrent: r.onlyInCurrent });
  const sequential = await offlineDrift(join(dir, 'ref.csv'), join(dir, 'cur.csv'), { parallel: false });
  assert.equal(sequential.timings.parallel, false);
  // "mixed" is numeric in the reference's first rows and text later: the worker's guess is wrong, so the current file is scanned again.
  const guessedWrong = await offlineDrift(join(dir, 'ref.csv'), join(dir, 'cur.csv'), { parallel: true });
  assert.equal(guessedWrong.timings.parallel, false);
  assert.deepEqual(strip(guessedWrong), strip(sequential));
  const opts = { parallel: true, features: ['x', 'n', 'c'] };
  const par = await offlineDrift(join(dir, 'ref.csv'), join(dir, 'cur.csv'), opts);
  assert.equal(par.timings.parallel, true);
  assert.deepEqual(strip(par), strip(await offlineDrift(join(dir, 'ref.csv'), join(dir, 'cur.csv'), { ...opts, parallel: false })));
  // Past the budget the worker gives up and the current file is scanned after, into reservoirs.
  const big = await offlineDrift(join(dir, 'ref.csv'), join(dir, 'cur.csv'), { ...opts, exactValues: 3000 });
  assert.equal(big.timings.parallel, false);
  assert.equal(big.current.exact, false);
  // A bad current file is still reported as such.
  await assert.rejects(offlineDrift(join(dir, 'ref.csv'), join(dir, 'missing.csv'), opts), /missing\.csv does not exist/);
});

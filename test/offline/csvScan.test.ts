// The byte-level CSV scanner of offline drift (src/offline/tableReader.ts) against csv-parse, the
// reference reader, on random files: quoted fields with commas, quotes, LF and CRLF inside, CRLF
// record endings, empty fields, missing tokens, numbers in every spelling, non-ASCII text; read
// in chunks of a few bytes so records straddle chunk boundaries everywhere, plain and gzipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { CategoryCounter } from '../../src/drift/categoryCounter.js';
import { scanTable, TableInputError } from '../../src/offline/tableReader.js';
import { toCategory } from '../../src/core/values.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('mlops-csvscan-');
let files = 0;

/** A field: numbers as they are written, missing tokens, text with the characters that need quotes. */
const field = fc.oneof(
  fc.constantFrom('', 'NA', 'N/A', 'null', 'NaN', 'inf', ' ', '-', '.', '0', '-0', '1.', '.5', '007', '1e5', ' 7', '12345678901234567'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer({ min: -1e6, max: 1e6 }).map((n) => (n / 100).toString()),
  fc.array(fc.constantFrom('a', 'b', 'Z', ' ', ',', '"', '\n', '\r\n', 'é', '日', '🙂', '1', '-', '.'), { maxLength: 8 }).map((cs) => cs.join('')),
);

/** RFC 4180: a field with a comma, quote, CR or LF (or, at random, any field) goes in quotes. */
function quote(f: string, force: boolean): string {
  return force || /[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f;
}

const table = fc
  .integer({ min: 2, max: 5 })
  .chain((k) =>
    fc.record({
      header: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/), { minLength: k, maxLength: k }),
      rows: fc.array(fc.array(fc.tuple(field, fc.boolean()), { minLength: k, maxLength: k }), { minLength: 1, maxLength: 30 }),
      crlf: fc.boolean(),
      trailing: fc.boolean(),
      chunk: fc.integer({ min: 1, max: 40 }),
      gzip: fc.boolean(),
    }),
  )
  // A record of empty fields only is a blank line for both readers only when it is unquoted.
  .filter((t) => t.rows.every((r) => r.some(([f, q]) => f !== '' || q)));

type Table = typeof table extends fc.Arbitrary<infer T> ? T : never;

function write(t: Table): { path: string; text: string } {
  const eol = t.crlf ? '\r\n' : '\n';
  const lines = [t.header.join(','), ...t.rows.map((r) => r.map(([f, q]) => quote(f, q)).join(','))];
  const text = lines.join(eol) + (t.trailing ? eol : '');
  const path = join(dir, `t${files++}.csv${t.gzip ? '.gz' : ''}`);
  writeFileSync(path, t.gzip ? gzipSync(text) : text);
  return { path, text };
}

test('the byte scanner reads random CSV files as csv-parse does, in any chunking, plain or gzipped', async () => {
  await fc.assert(
    fc.asyncProperty(table, async (t) => {
      const { path, text } = write(t);
      const want = parse(text, { skip_empty_lines: false }) as string[][];
      const values: string[][] = [];
      const numerics: unknown[][] = [];
      const counters = t.header.map(() => new CategoryCounter());
      const scan = await scanTable(
        path,
        (row, columns) => {
          // Some rows are read field by field in order (the scanner's cursor), others out of order.
          const order = columns.names.map((_, i) => i);
          if (values.length % 2 === 1) order.reverse();
          const v: string[] = [];
          const n: unknown[] = [];
          for (const i of order) {
            n[i] = row.numeric(i);
            v[i] = row.value(i) as string;
            row.category(i, counters[i]);
          }
          values.push(v);
          numerics.push(n);
        },
        { chunkBytes: t.chunk },
      );
      assert.deepEqual(scan.columns.names, want[0]);
      assert.deepEqual(values, want.slice(1));
      assert.equal(scan.rows, want.length - 1);
      for (let r = 0; r < values.length; r++) {
        for (let i = 0; i < t.header.length; i++) {
          const n = numerics[r][i];
          if (typeof n === 'number') assert.ok(Object.is(n, Number(values[r][i])), `${values[r][i]} parsed as ${n}`);
          else assert.equal(n, values[r][i], 'a field not parsed in place comes back as its text');
        }
      }
      // Categories counted from bytes or from text are the same keys, missing tokens left out.
      for (let i = 0; i < t.header.length; i++) {
        const expect = new Map<string, number>();
        for (const r of values) {
          const key = toCategory(r[i]);
          if (key !== null) expect.set(key, (expect.get(key) ?? 0) + 1);
        }
        assert.deepEqual(new Map(Object.entries(counters[i].countsRecord())), expect);
      }
    }),
    { numRuns: 300 },
  );
});

test('a record with too few or too many fields, and an unterminated quote, are errors naming the line', async () => {
  const cases: Array<[string, RegExp]> = [
    ['a,b\n1,2\n3\n', /:3: expected 2 CSV fields, got 1/],
    ['a,b\n1,2\n3,4,5\n', /:3: expected 2 CSV fields, got 3/],
    ['a,b\n"x\ny",2\n3\n', /:4: expected 2 CSV fields, got 1/],
    ['a,b\n1,2\n"open,3\n4,5\n', /:3: unterminated quoted field/],
  ];
  for (const [text, message] of cases) {
    for (const chunk of [1, 3, 1 << 20]) {
      const path = join(dir, `e${files++}.csv`);
      writeFileSync(path, text);
      // The first field only: the count is checked even where the visitor reads less of the row.
      await assert.rejects(scanTable(path, (row) => void row.numeric(0), { chunkBytes: chunk }), (e: Error) => e instanceof TableInputError && message.test(e.message));
    }
  }
});

test('a byte order mark before the header is not part of the first column name', async () => {
  const path = join(dir, `bom${files++}.csv`);
  writeFileSync(path, '\ufeffx,c\r\n1,a\r\n');
  const scan = await scanTable(path, () => {}, { chunkBytes: 2 });
  assert.deepEqual(scan.columns.names, ['x', 'c']);
});

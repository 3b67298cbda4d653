// Tests of src/data/csv.ts (kept with the model tests that use it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CsvError, readCsvAll, readCsvRecords, requireNumber, splitCsvRecord, toNumber } from '../../src/data/csv.js';
import { tempDir } from '../helpers/tmp.js';

test('splitCsvRecord handles quotes, escaped quotes and an open quote', () => {
  assert.deepEqual(splitCsvRecord('a,"b, c","say ""hi""",'), ['a', 'b, c', 'say "hi"', '']);
  assert.equal(splitCsvRecord('a,"open'), null);
});

test('reads .csv and .csv.gz alike, with multi-line quoted fields and line numbers', async () => {
  const dir = tempDir();
  const text = '\ufeffid,note,x\n1,"two\nlines",3.5\n2,plain,\n\n3,"q ""x""",7\n';
  writeFileSync(join(dir, 'a.csv'), text);
  writeFileSync(join(dir, 'a.csv.gz'), gzipSync(text));
  const plain = await readCsvAll(join(dir, 'a.csv'));
  const gz = await readCsvAll(join(dir, 'a.csv.gz'));
  assert.deepEqual(plain, gz);
  assert.deepEqual(plain, [
    { id: '1', note: 'two\nlines', x: '3.5' },
    { id: '2', note: 'plain', x: '' },
    { id: '3', note: 'q "x"', x: '7' },
  ]);
  const lines: number[] = [];
  for await (const r of readCsvRecords(join(dir, 'a.csv'))) lines.push(r.line);
  assert.deepEqual(lines, [2, 4, 6]);
});

test('a row with the wrong number of fields names the file and line', async () => {
  const dir = tempDir();
  const file = join(dir, 'bad.csv');
  writeFileSync(file, 'a,b\n1,2\n3\n');
  await assert.rejects(readCsvAll(file), (e: unknown) => e instanceof CsvError && e.line === 3 && e.message.startsWith(`${file}:3:`));
  writeFileSync(file, 'a,b\n1,"2\n');
  await assert.rejects(readCsvAll(file), /unterminated quoted field/);
  await assert.rejects(readCsvAll(join(dir, 'absent.csv')), /absent\.csv/);
});

test('number helpers: missing is null, junk is an error naming the column', () => {
  assert.equal(toNumber(' 4.5 '), 4.5);
  assert.equal(toNumber(''), null);
  assert.equal(toNumber('abc'), null);
  assert.equal(requireNumber('', { file: 'f.csv', line: 2, column: 'x' }), null);
  assert.throws(() => requireNumber('abc', { file: 'f.csv', line: 9, column: 'x' }), /f\.csv:9: column "x": "abc" is not a number/);
});

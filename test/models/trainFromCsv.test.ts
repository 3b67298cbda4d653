import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inferKind, loadTrainingRows } from '../../src/models/trainFromCsv.js';
import { tempDir } from '../helpers/tmp.js';
import { FLIGHTS_CSV } from './flights.js';

test('inferKind: numbers with many values or decimals are numeric, small integer sets and text categorical', () => {
  assert.equal(inferKind(Array.from({ length: 24 }, (_, i) => String(i))), 'numeric');
  assert.equal(inferKind(['0', '1', '2', '', '6']), 'categorical');
  assert.equal(inferKind(['0.5', '1', '1']), 'numeric');
  assert.equal(inferKind(['1', '2', 'x']), 'categorical');
  assert.equal(inferKind(['', '']), null);
});

test('loads a window of the flights sample in time order with an inferred schema', async () => {
  const data = await loadTrainingRows({
    data: FLIGHTS_CSV,
    label: 'delayed',
    time: 'ts',
    features: ['hour', 'dow', 'distance', 'origin', 'destination'],
    from: '2001-03-31T12:00:00Z',
    until: '2001-04-01',
  });
  assert.deepEqual(data.schema, { hour: 'numeric', dow: 'categorical', distance: 'numeric', origin: 'categorical', destination: 'categorical' });
  assert.equal(data.read, 231083);
  assert.ok(data.rows.length > 500);
  assert.ok(data.rows.every((r) => r.ts! >= '2001-03-31T12:00:00Z' && r.ts! < '2001-04-01'));
  assert.deepEqual(Object.keys(data.rows[0]!).sort(), ['delayed', 'destination', 'distance', 'dow', 'hour', 'origin', 'ts']);
});

test('sorts by time, defaults features to all but label and time, and names what is wrong', async () => {
  const dir = tempDir();
  const file = join(dir, 't.csv');
  writeFileSync(file, 'when,a,b,y\n2001-01-03T00:00:00Z,1.5,x,1\n2001-01-01T00:00:00Z,2.5,y,0\n978393600000,3.5,,1\n');
  const data = await loadTrainingRows({ data: file, label: 'y', time: 'when' });
  assert.deepEqual(data.rows.map((r) => r.a), ['2.5', '3.5', '1.5']);
  assert.deepEqual(data.schema, { a: 'numeric', b: 'categorical' });
  await assert.rejects(loadTrainingRows({ data: file, label: 'nope' }), /has no column "nope"/);
  await assert.rejects(loadTrainingRows({ data: file, label: 'y', until: '2001-02-01' }), /need a time column/);
  await assert.rejects(loadTrainingRows({ data: file, label: 'y', time: 'when', until: 'soon' }), /--until "soon"/);
  writeFileSync(file, 'when,a,y\n2001-01-03,1,1\nyesterday,2,0\n');
  await assert.rejects(loadTrainingRows({ data: file, label: 'y', time: 'when' }), new RegExp(`${file}:3: time column "when"`));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLine } from '../../src/ingest/records.js';
import { parseTime as parseTimestamp } from '../../src/core/time.js';

test('parses the two line kinds of the log format', () => {
  const p = parseLine('{"ts":"2001-02-03T14:05:00Z","id":"r-81723","model":"flights-mlp","version":3,"features":{"distance":405,"origin":"MCI","hour":14},"prediction":1,"score":0.71}');
  assert.equal(p.kind, 'prediction');
  if (p.kind !== 'prediction') return;
  assert.equal(p.ts, Date.UTC(2001, 1, 3, 14, 5));
  assert.equal(p.model, 'flights-mlp');
  assert.equal(p.version, 3);
  assert.deepEqual(p.features, { distance: 405, origin: 'MCI', hour: 14 });
  assert.equal(p.score, 0.71);
  const l = parseLine('{"ts":981223500000,"id":"r-81723","label":1}');
  assert.deepEqual(l, { kind: 'label', ts: 981223500000, id: 'r-81723', label: 1 });
});

test('multiclass scores are an object of class probabilities', () => {
  const p = parseLine('{"ts":1,"id":7,"model":"m","version":1,"features":{},"prediction":"b","score":{"a":0.2,"b":0.8}}');
  assert.equal(p.kind, 'prediction');
  if (p.kind === 'prediction') {
    assert.equal(p.id, '7');
    assert.deepEqual(p.scores, { a: 0.2, b: 0.8 });
    assert.equal(p.score, null);
  }
});

test('each kind of bad line is rejected with a reason that names the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['not json', /invalid JSON/],
    ['[1,2]', /expected a JSON object, got an array/],
    ['{"id":"a","model":"m","version":1,"features":{},"prediction":1}', /missing field "ts"/],
    ['{"ts":"yesterday","id":"a","label":1}', /"ts" must be/],
    ['{"ts":1,"label":1}', /missing field "id"/],
    ['{"ts":1,"id":"a","label":null}', /"label" must be/],
    ['{"ts":1,"id":"a","model":"m","features":{},"prediction":1}', /missing field "version"/],
    ['{"ts":1,"id":"a","model":"m","version":"3","features":{},"prediction":1}', /"version" must be/],
    ['{"ts":1,"id":"a","model":"m","version":1,"features":[1],"prediction":1}', /"features" must be an object/],
    ['{"ts":1,"id":"a","model":"m","version":1,"features":{"x":{"y":{"z":1}}},"prediction":1}', /feature "x" must be/],
    ['{"ts":1,"id":"a","model":"m","version":1,"features":{},"prediction":[1]}', /"prediction" must be/],
    ['{"ts":1,"id":"a","model":"m","version":1,"features":{},"prediction":1,"score":1.5}', /"score" must be a probability/],
    ['{"ts":1,"id":"a","model":"m","version":1,"features":{},"prediction":1,"score":"high"}', /"score" must be/],
    ['{"ts":1,"id":"a","model":"","version":1,"features":{},"prediction":1}', /"model" must be/],
    ['{"ts":1,"id":"a","version":1,"features":{},"prediction":1}', /missing field "model"/],
    [`{"ts":1,"id":"a","model":"m","version":1,"features":${'['.repeat(5000)}${']'.repeat(5000)},"prediction":1}`, /"features" must be an object/],
  ];
  for (const [line, reason] of cases) {
    const r = parseLine(line);
    assert.equal(r.kind, 'rejected', line.slice(0, 80));
    if (r.kind === 'rejected') assert.match(r.reason, reason, line.slice(0, 80));
  }
});

test('timestamps: ISO 8601 with zone, date only, or epoch milliseconds', () => {
  assert.equal(parseTimestamp('2001-02-03T14:05:00+02:00'), Date.UTC(2001, 1, 3, 12, 5));
  assert.equal(parseTimestamp('2001-02-03'), Date.UTC(2001, 1, 3));
  assert.equal(parseTimestamp(981158400000), 981158400000);
  assert.equal(parseTimestamp('02/03/2001'), null);
  assert.equal(parseTimestamp(-5), null);
});

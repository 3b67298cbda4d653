import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encoderFromState, fitEncoder } from '../../src/models/encoder.js';

const rows = [
  { x: '1', c: 'a' },
  { x: '3', c: 'a' },
  { x: '', c: 'b' },
  { x: '5', c: 'c' },
  { x: 'NaN?', c: '' },
];

test('numerics are standardised with training mean/std; missing gives 0 plus an indicator', () => {
  const enc = fitEncoder(rows, { x: 'numeric' });
  const f = enc.state.features[0]!;
  assert.equal(f.kind, 'numeric');
  if (f.kind !== 'numeric') return;
  assert.equal(f.mean, 3);
  assert.ok(Math.abs(f.std - Math.sqrt(8 / 3)) < 1e-12);
  assert.equal(enc.dim, 2);
  const out = enc.transform([{ x: 3 }, { x: '5' }, { x: null }, {}]);
  assert.deepEqual(Array.from(out), [0, 0, Math.fround(2 / f.std), 0, 0, 1, 0, 1]);
});

test('top-K one-hot keeps the most frequent values; others go to OOV, missing to its own slot', () => {
  const enc = fitEncoder(rows, { c: 'categorical' }, { topK: 2 });
  const f = enc.state.features[0]!;
  assert.deepEqual(f.kind === 'categorical' && f.vocabulary, ['a', 'b']); // b before c: tie broken by value
  assert.deepEqual(enc.columnNames(), ['c=a', 'c=b', 'c:other', 'c:missing']);
  const out = enc.transform([{ c: 'a' }, { c: 'b' }, { c: 'c' }, { c: 'never seen' }, { c: '' }, {}]);
  assert.deepEqual(Array.from(out), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
});

test('constant numeric column does not divide by zero; the state round-trips through JSON', () => {
  const enc = fitEncoder([{ k: 7, c: 1 }, { k: 7, c: 2 }], { k: 'numeric', c: 'categorical' });
  const again = encoderFromState(JSON.parse(JSON.stringify(enc.state)));
  const probe = [{ k: 8, c: 2 }, { k: 7, c: '1' }];
  assert.deepEqual(Array.from(again.transform(probe)), Array.from(enc.transform(probe)));
  assert.deepEqual(Array.from(enc.transform([{ k: 8, c: 2 }])), [1, 0, 0, 1, 0, 0]);
  assert.throws(() => fitEncoder(rows, {}), /without features/);
  assert.throws(() => encoderFromState({ ...enc.state, dim: 99 }), /inconsistent/);
});

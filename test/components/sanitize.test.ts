import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitize, sanitizeDeep } from '../../src/util/sanitize.js';

test('OSC title sequence goes with its payload', () => {
  assert.equal(sanitize('model\u001b]0;owned\u0007-x'), 'model-x');
  assert.equal(sanitize('\u001b]0;owned\u0007'), '');
  assert.equal(sanitize('a\u001b]0;owned\u001b\\b'), 'ab', 'OSC ended by ST');
  assert.equal(sanitize('a\u009d0;owned\u009cb'), 'ab', '8-bit OSC and ST');
});

test('CSI sequences (clear screen, colours, cursor moves) are removed', () => {
  assert.equal(sanitize('x\u001b[2Jy'), 'xy');
  assert.equal(sanitize('\u001b[2J'), '');
  assert.equal(sanitize('\u001b[31mred\u001b[0m'), 'red');
  assert.equal(sanitize('a\u001b[10;20Hb\u001b[?1049lc'), 'abc');
  assert.equal(sanitize('a\u009b2Jb'), 'ab', '8-bit CSI');
});

test('other escapes, DCS, C0 and C1 controls and bidi overrides are removed; breaks become spaces', () => {
  assert.equal(sanitize('a\u001bPq#0;2;0;0;0\u001b\\b'), 'ab', 'DCS (sixel)');
  assert.equal(sanitize('a\u001bcb'), 'ab', 'RIS');
  assert.equal(sanitize('a\u0000\u0007\u0008\u007fb\u0085c'), 'abc');
  assert.equal(sanitize('tab\there\nnew\rline'), 'tab here new line');
  assert.equal(sanitize('abc\u202edcba'), 'abcdcba');
  assert.equal(sanitize('trailing \u001b'), 'trailing ');
  assert.equal(sanitize('\u001b[', 5), '');
});

test('clean text, unicode and non-strings pass through', () => {
  assert.equal(sanitize('flights-mlp@3'), 'flights-mlp@3');
  assert.equal(sanitize('Zürich 東京 ✓'), 'Zürich 東京 ✓');
  assert.equal(sanitize(42), '42');
  assert.equal(sanitize(null), '');
  assert.equal(sanitize(undefined), '');
});

test('max truncates with an ellipsis, after stripping', () => {
  assert.equal(sanitize('abcdefghij', 5), 'abcd…');
  assert.equal(sanitize('abc', 5), 'abc');
  assert.equal(sanitize('\u001b[2Jabcdef', 4), 'abc…');
  assert.equal(sanitize('abc', 0), '');
});

test('sanitizeDeep cleans every string of a plain object and keeps the rest', () => {
  const out = sanitizeDeep({ a: 'x\u001b[2J', n: 1, b: null, list: ['\u001b]0;owned\u0007ok', 2], nested: { t: true, s: 'y\u0007' } });
  assert.deepEqual(out, { a: 'x', n: 1, b: null, list: ['ok', 2], nested: { t: true, s: 'y' } });
});

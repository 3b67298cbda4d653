import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitize as sanitizeTagged, sanitizeDeep } from '../../src/util/sanitize.js';
import { textWidth } from '../../src/util/textWidth.js';

// What is left of the text; the suffix that tells stripped strings apart is tested on its own below.
const SUFFIX = /~[0-9a-z]{4}$/;
const sanitize = (s: unknown, max?: number): string => sanitizeTagged(s, max).replace(SUFFIX, '');

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
  const out = sanitizeDeep({ a: 'x\u001b[2J', n: 1, b: null, list: ['\u001b]0;owned\u0007ok', 2], nested: { t: true, s: 'y\u0007', c: 'clean' } });
  assert.deepEqual(out, {
    a: sanitizeTagged('x\u001b[2J'), n: 1, b: null, list: [sanitizeTagged('\u001b]0;owned\u0007ok'), 2],
    nested: { t: true, s: sanitizeTagged('y\u0007'), c: 'clean' },
  });
  assert.match(out.a, /^x~[0-9a-z]{4}$/);
});

test('zero-width, bidi and other invisible characters are stripped; variation selectors silently', () => {
  for (const c of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u061c', '\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\u{e0001}']) {
    assert.equal(sanitize(`pay${c}pal`), 'paypal', `U+${c.codePointAt(0)!.toString(16)}`);
  }
  assert.equal(sanitize('x\ud800y'), 'xy', 'a lone surrogate');
  assert.equal(sanitizeTagged('\u2764\ufe0f'), '\u2764', 'emoji presentation selector: no suffix');
  assert.equal(sanitizeTagged('東京 🚀 Zürich'), '東京 🚀 Zürich', 'visible unicode is kept whole, untagged');
});

test('names that collide once stripped are told apart by a short suffix, the same in every place', () => {
  const hostile = ['m\u0007', 'm\u001b[31m', 'm\u200b', 'm\u202e', '\u200bm', 'm\u001b]0;x\u0007'];
  const shown = hostile.map((h) => sanitizeTagged(h));
  assert.equal(new Set(shown).size, hostile.length, `all distinct: ${shown.join(' ')}`);
  assert.ok(!shown.includes('m'), 'none passes for the clean name');
  for (const s of shown) assert.match(s, /^m~[0-9a-z]{4}$/);
  // The same name inside a model reference carries the same suffix.
  assert.equal(sanitizeTagged('m\u0007@1'), `m@1${sanitizeTagged('m\u0007').slice(1)}`);
  // Stable: the suffix is a function of the input only (the README's example).
  assert.equal(sanitizeTagged('m\u0007'), 'm~5rux');
  assert.equal(sanitizeTagged('m\u0007'), sanitizeTagged('m\u0007'));
});

test('max counts terminal cells and never cuts a character in half', () => {
  assert.equal(sanitize('東京東京', 5), '東京…');
  assert.equal(textWidth(sanitize('東京東京', 5)), 5);
  assert.equal(sanitize('🚀🚀🚀', 4), '🚀…');
  assert.ok(!sanitize('a👨\u200d👩\u200d👧b', 4).includes('\ufffd'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairedAccuracyDifference, verdict } from '../../src/compare/pairedDifference.js';
import { normalQuantile } from '../../src/compare/normalQuantile.js';
import { assertClose, fixtures } from './fixtures.js';

test('Wald interval on the paired difference matches the hand computation', () => {
  for (const r of fixtures.paired) {
    const [bothCorrect, onlyACorrect, onlyBCorrect, bothWrong] = r.counts;
    const d = pairedAccuracyDifference({ bothCorrect, onlyACorrect, onlyBCorrect, bothWrong });
    assertClose(d.difference + 1, r.difference + 1, 1e-14, `difference ${r.counts}`);
    assertClose(d.standardError + 1, r.se + 1, 1e-14, `se ${r.counts}`);
    assertClose(d.lower + 1, r.lower + 1, 1e-9, `lower ${r.counts}`);
    assertClose(d.upper + 1, r.upper + 1, 1e-9, `upper ${r.counts}`);
  }
});

test('normal quantiles match scipy.stats.norm.ppf', () => {
  assertClose(normalQuantile(0.975), 1.959963984540054, 1e-8);
  assertClose(normalQuantile(0.995), 2.5758293035489004, 1e-8);
  assertClose(normalQuantile(0.001), -3.090232306167813, 1e-8);
  assert.equal(normalQuantile(0.5), 0);
});

test('verdict follows the p-value and the sign of the difference', () => {
  assert.equal(verdict({ difference: 0.02, pValue: 0.01 }), 'better');
  assert.equal(verdict({ difference: -0.02, pValue: 0.01 }), 'worse');
  assert.equal(verdict({ difference: 0.02, pValue: 0.2 }), 'no significant difference');
  assert.equal(verdict({ difference: 0.02, pValue: 0.01 }, 0.001), 'no significant difference');
  assert.equal(verdict({ difference: NaN, pValue: NaN }), 'no significant difference');
});

test('empty input gives NaN rather than throwing', () => {
  const d = pairedAccuracyDifference({ bothCorrect: 0, onlyACorrect: 0, onlyBCorrect: 0, bothWrong: 0 });
  assert.ok(Number.isNaN(d.difference));
});

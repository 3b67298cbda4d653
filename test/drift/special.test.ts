import { test } from 'node:test';
import { chi2Sf, gammaP, gammaQ, normalSf } from '../../src/drift/special.js';
import { assertClose, fixtures } from './fixtures.js';

test('regularised incomplete gamma matches scipy.special.gammainc / gammaincc', () => {
  for (const c of fixtures.gamma as { a: number; x: number; p: number; q: number }[]) {
    assertClose(gammaQ(c.a, c.x), c.q, 1e-10, 1e-300, `Q(${c.a}, ${c.x})`);
    assertClose(gammaP(c.a, c.x), c.p, 1e-10, 1e-300, `P(${c.a}, ${c.x})`);
  }
});

test('chi2Sf and normalSf agree with textbook values', () => {
  // chi2.sf(3.841458820694124, 1) = 0.05; norm.sf(1.959963984540054) = 0.025
  assertClose(chi2Sf(3.841458820694124, 1), 0.05, 1e-12);
  assertClose(chi2Sf(2, 2), Math.exp(-1), 1e-14);
  assertClose(normalSf(1.959963984540054), 0.025, 1e-12);
  assertClose(normalSf(0), 0.5, 1e-15);
  assertClose(normalSf(-1.959963984540054), 0.975, 1e-12);
});

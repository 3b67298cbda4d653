import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wasserstein, wassersteinFromQuantiles, wassersteinNormalised, populationStd } from '../../src/drift/wasserstein.js';
import { evenQuantiles } from '../../src/drift/quantile.js';
import { assertClose, fixtures } from './fixtures.js';

interface WCase { name: string; reference: number[]; current: number[]; distance: number; normalised: number; referenceQuantiles: number[]; currentQuantiles: number[] }

test('wasserstein matches scipy.stats.wasserstein_distance, normalised as Evidently does', () => {
  for (const c of fixtures.wasserstein as WCase[]) {
    assertClose(wasserstein(c.reference, c.current), c.distance, 1e-10, 1e-12, c.name);
    assertClose(wassersteinNormalised(c.reference, c.current), c.normalised, 1e-10, 1e-12, `${c.name} normalised`);
  }
});

test('wassersteinFromQuantiles (101 quantiles) stays within 5% of max(reference sd, exact distance)', () => {
  for (const c of fixtures.wasserstein as WCase[]) {
    const qr = evenQuantiles(Float64Array.from(c.reference).sort(), 100);
    const qc = evenQuantiles(Float64Array.from(c.current).sort(), 100);
    qr.forEach((q, i) => assertClose(q, c.referenceQuantiles[i], 1e-12, 1e-12, `${c.name} quantile ${i}`));
    const approx = wassersteinFromQuantiles(qr, qc);
    const sd = Math.max(populationStd(c.reference), 0.001);
    assert.ok(Math.abs(approx - c.distance) / Math.max(sd, c.distance) < 0.05, `${c.name}: ${approx} vs ${c.distance} (sd ${sd})`);
  }
});

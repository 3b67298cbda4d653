import { test } from 'node:test';
import assert from 'node:assert/strict';
import { psiCategories, psiFromCounts, psiNumeric } from '../../src/drift/psi.js';
import { countInBins, decileEdges } from '../../src/drift/bins.js';
import { assertClose, fixtures } from './fixtures.js';

interface NumCase { name: string; reference: number[]; current: number[]; edges: number[]; referenceCounts: number[]; currentCounts: number[]; psi: number }

test('numeric PSI on reference deciles matches the numpy implementation', () => {
  for (const c of fixtures.psi.numeric as NumCase[]) {
    const edges = decileEdges(Float64Array.from(c.reference).sort());
    assert.equal(edges.length, c.edges.length, c.name);
    edges.forEach((e, i) => assertClose(e, c.edges[i], 1e-12, 1e-12, `${c.name} edge ${i}`));
    assert.deepEqual(countInBins(edges, c.reference), c.referenceCounts, c.name);
    assert.deepEqual(countInBins(edges, c.current), c.currentCounts, c.name);
    assertClose(psiNumeric(c.reference, c.current), c.psi, 1e-10, 1e-12, c.name);
  }
});

test('categorical PSI matches, new and vanished categories included', () => {
  for (const c of fixtures.psi.categorical as { name: string; reference: Record<string, number>; current: Record<string, number>; psi: number }[]) {
    assertClose(psiCategories(c.reference, c.current), c.psi, 1e-10, 1e-12, c.name);
  }
});

test('identical distributions have PSI 0', () => {
  assert.equal(psiFromCounts([10, 20, 30], [1, 2, 3]), 0);
});

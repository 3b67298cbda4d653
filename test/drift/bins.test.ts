import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countInBins, countSortedInBins, decileEdges } from '../../src/drift/bins.js';
import { mulberry32 } from '../../src/util/random.js';

test('binning ascending values by a search per edge counts what binning each value does', () => {
  const u = mulberry32(9);
  for (let trial = 0; trial < 300; trial++) {
    const n = Math.floor(u() * 200);
    // Ties, repeated edges' values, values outside the edges, -0 beside 0.
    const pool = [-0, 0, 1, 2, 2.5, -3, 7, 1e-9, -1e300, 1e300];
    const values = Float64Array.from({ length: n }, () => (u() < 0.5 ? pool[Math.floor(u() * pool.length)] : Math.round((u() - 0.5) * 20) / 2)).sort();
    const edges = trial % 3 === 0 && n > 0 ? decileEdges(values) : [...new Set(Array.from({ length: Math.floor(u() * 8) }, () => Math.round((u() - 0.5) * 16) / 2))].sort((a, b) => a - b);
    assert.deepEqual(countSortedInBins(edges, values), countInBins(edges, values), `edges ${edges} values ${values}`);
  }
});

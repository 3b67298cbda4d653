import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jensenShannonCategories, jensenShannonDistance } from '../../src/drift/jensenShannon.js';
import { assertClose, fixtures } from './fixtures.js';

test('jensenShannonCategories matches scipy.spatial.distance.jensenshannon over the union of categories', () => {
  for (const c of fixtures.jensenShannon as { name: string; reference: Record<string, number>; current: Record<string, number>; distance: number }[]) {
    assertClose(jensenShannonCategories(c.reference, c.current), c.distance, 1e-10, 1e-12, c.name);
  }
});

test('disjoint distributions reach sqrt(ln 2); identical ones 0', () => {
  assertClose(jensenShannonDistance([1, 0], [0, 1]), Math.sqrt(Math.LN2), 1e-14);
  assert.equal(jensenShannonDistance([2, 3], [4, 6]), 0);
  assert.ok(Number.isNaN(jensenShannonDistance([0, 0], [1, 1])));
});

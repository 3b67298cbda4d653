import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetDrift } from '../../src/drift/datasetDrift.js';
import type { ColumnDriftResult } from '../../src/drift/columnDrift.js';
import type { DriftLevel } from '../../src/drift/levels.js';

const result = (feature: string, level: DriftLevel): ColumnDriftResult => ({
  feature, kind: 'numeric', method: 'wasserstein', statistic: 0, pValue: null, threshold: 0.1, level, psi: 0,
  missingRate: { reference: 0, current: 0, pValue: 1, level: 'ok' }, newCategories: [], vanishedCategories: [], nReference: 1, nCurrent: 1,
});

test('dataset drift when the share of drifted columns reaches the configured share', () => {
  const rs = [result('a', 'drift'), result('b', 'warn'), result('c', 'ok'), result('d', 'drift')];
  assert.deepEqual(datasetDrift(rs), { drifted: true, share: 0.5, driftedColumns: ['a', 'd'] });
  assert.equal(datasetDrift(rs, 0.6).drifted, false);
  assert.equal(datasetDrift([]).drifted, false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePair, PairAccumulator, type PairedRecord } from '../../src/compare/pairs.js';
import { assertClose, fixtures } from './fixtures.js';

/** Labelled records realising the given 2×2 counts (label 1), plus unlabelled rows. */
function recordsFor(counts: number[], unlabelled = 0): PairedRecord[] {
  const [both, onlyA, onlyB, neither] = counts;
  const out: PairedRecord[] = [];
  const push = (k: number, a: number, b: number) => {
    for (let i = 0; i < k; i++) out.push({ predictedA: a, scoreA: a ? 0.8 : 0.3, predictedB: b, scoreB: b ? 0.6 : 0.4, label: 1 });
  };
  push(both, 1, 1);
  push(onlyA, 1, 0);
  push(onlyB, 0, 1);
  push(neither, 0, 0);
  for (let i = 0; i < unlabelled; i++) out.push({ predictedA: 1, scoreA: 0.9, predictedB: 0, scoreB: 0.2 });
  return out;
}

test('batch comparison reproduces the paired-difference and McNemar references', () => {
  for (const r of fixtures.paired) {
    const records = recordsFor(r.counts, 10);
    const res = comparePair(records);
    const [both, onlyA, onlyB, neither] = r.counts;
    const labelled = both + onlyA + onlyB + neither;
    assert.equal(res.n, labelled + 10);
    assert.equal(res.labelled, labelled);
    assert.deepEqual(res.discordant, { b: onlyA, c: onlyB });
    assertClose(res.accuracyA, (both + onlyA) / labelled, 1e-14);
    assertClose(res.accuracyB, (both + onlyB) / labelled, 1e-14);
    assertClose(res.mcnemar!.pValue, r.mcnemarP, 1e-9, `mcnemar ${r.counts}`);
    assertClose(res.difference!.lower + 1, r.lower + 1, 1e-9);
    assertClose(res.difference!.upper + 1, r.upper + 1, 1e-9);
    const agreeing = both + neither;
    assertClose(res.agreementRate, agreeing / res.n, 1e-14);
    // |0.8 - 0.6| on both-right, |0.8 - 0.4| only A, |0.3 - 0.6| only B, |0.3 - 0.4| neither, |0.9 - 0.2| unlabelled
    const sumDiff = both * 0.2 + onlyA * 0.4 + onlyB * 0.3 + neither * 0.1 + 10 * 0.7;
    assertClose(res.meanAbsScoreDifference, sumDiff / res.n, 1e-9);
  }
  // 40 vs 25 discordant: p = 0.082, not significant; 3 vs 12: p = 0.035, A worse
  assert.equal(comparePair(recordsFor(fixtures.paired[0].counts)).verdict, 'no significant difference');
  assert.equal(comparePair(recordsFor(fixtures.paired[1].counts)).verdict, 'worse');
});

test('incremental add, merge, remove and JSON round trip agree with the batch result', () => {
  const records = recordsFor([300, 60, 30, 79], 25);
  // interleave so the halves differ
  const left = new PairAccumulator();
  const right = new PairAccumulator();
  records.forEach((r, i) => (i % 3 === 0 ? left : right).add(r));
  const merged = PairAccumulator.fromJSON(JSON.parse(JSON.stringify(left.toJSON()))).merge(right);
  const batch = comparePair(records);
  const m = merged.result();
  // the float sum of score differences depends on addition order
  assertClose(m.meanAbsScoreDifference, batch.meanAbsScoreDifference, 1e-12);
  assert.deepEqual({ ...m, meanAbsScoreDifference: 0 }, { ...batch, meanAbsScoreDifference: 0 });
  assert.equal(batch.verdict, 'better');

  const extra: PairedRecord = { predictedA: 0, scoreA: 0.1, predictedB: 1, scoreB: 0.7, label: 0 };
  const withExtra = new PairAccumulator(merged.toJSON()).add(extra);
  assert.equal(withExtra.result().discordant.b, batch.discordant.b + 1);
  withExtra.remove(extra);
  assert.equal(withExtra.result().n, batch.n);
  assert.deepEqual(withExtra.result().discordant, batch.discordant);
});

test('no labels: agreement only, no verdict; mid-p option is passed through', () => {
  const res = comparePair(recordsFor([0, 0, 0, 0], 4));
  assert.equal(res.labelled, 0);
  assert.equal(res.verdict, null);
  assert.equal(res.mcnemar, null);
  assert.ok(Number.isNaN(res.accuracyA));
  assert.equal(res.agreementRate, 0);
  const mid = comparePair(recordsFor([80, 3, 12, 5]), { midP: true });
  assert.ok(mid.mcnemar!.midP);
  assert.ok(mid.mcnemar!.pValue < comparePair(recordsFor([80, 3, 12, 5])).mcnemar!.pValue);
  assert.equal(comparePair([]).n, 0);
});

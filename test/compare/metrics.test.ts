import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, logLoss, logLossMulticlass, rocAuc, RollingMetrics } from '../../src/compare/metrics.js';
import { assertClose, fixtures } from './fixtures.js';

const m = fixtures.metrics;

test('accuracy, log loss and ROC AUC match scikit-learn', () => {
  assertClose(accuracy(m.labels, m.predicted), m.accuracy, 1e-12, 'accuracy');
  assertClose(logLoss(m.labels, m.scores), m.logLoss, 1e-12, 'log loss eps 1e-15');
  assertClose(logLoss(m.labels, m.scores, 1e-7), m.logLossEps1e7, 1e-12, 'log loss eps 1e-7');
  assertClose(rocAuc(m.labels, m.scores), m.rocAuc, 1e-12, 'roc auc with ties');
});

test('multiclass log loss matches scikit-learn (clip then renormalise)', () => {
  assertClose(logLossMulticlass(m.multiclass.labels, m.multiclass.probs), m.multiclass.logLoss, 1e-12);
});

test('ROC AUC edge cases', () => {
  assert.ok(Number.isNaN(rocAuc([1, 1, 1], [0.1, 0.2, 0.3])));
  assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]), 1);
  assert.equal(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]), 0);
  assert.equal(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5);
  assert.throws(() => accuracy([1, 0], [1]));
});

test('RollingMetrics equals the batch metrics over the last N rows', () => {
  const cap = 97;
  const rolling = new RollingMetrics(cap);
  const n = m.labels.length;
  for (let i = 0; i < n; i++) {
    rolling.add(m.labels[i], m.scores[i], m.predicted[i]);
    if (i % 37 === 0 || i === n - 1) {
      const from = Math.max(0, i + 1 - cap);
      const labels = m.labels.slice(from, i + 1);
      const scores = m.scores.slice(from, i + 1);
      const predicted = m.predicted.slice(from, i + 1);
      assert.equal(rolling.count, labels.length);
      assertClose(rolling.accuracy(), accuracy(labels, predicted), 1e-12, `accuracy at ${i}`);
      assertClose(rolling.logLoss(), logLoss(labels, scores), 1e-9, `log loss at ${i}`);
      const auc = rocAuc(labels, scores);
      if (Number.isNaN(auc)) assert.ok(Number.isNaN(rolling.rocAuc()));
      else assertClose(rolling.rocAuc(), auc, 1e-12, `auc at ${i}`);
    }
  }
  rolling.clear();
  assert.equal(rolling.count, 0);
  assert.ok(Number.isNaN(rolling.accuracy()));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditSummary } from '../../src/registry/auditSummary.js';
import { stopReason } from '../../src/retrain/jobView.js';

test('audit details read as words: the gate of a promotion, the metrics of a registration, a rollback', () => {
  const gate = { pass: true, refused: null, estimate: 0.0261, interval: [0.0152, 0.0378], heldOutRows: 7312, n: 0.803, o: 0.777, needRows: 5000 };
  const promote = auditSummary('promote', JSON.stringify({ gate, forced: false }));
  assert.equal(promote, 'gate passed, candidate − active +2.6 pts [+1.5, +3.8], accuracy 77.7% → 80.3%, on 7312 held-out rows');
  assert.doesNotMatch(promote, /[{}"]/, 'no JSON');
  assert.match(auditSummary('force-promote', JSON.stringify({ gate: { ...gate, pass: false }, forced: true })), /^forced \(gate failed\)/);
  assert.equal(auditSummary('force-promote', JSON.stringify({ gate: { ...gate, pass: false, refused: 'not-enough-rows', heldOutRows: 900 }, forced: true })),
    'forced (gate refused: 900 held-out rows, 5000 needed)');
  assert.equal(auditSummary('promote', JSON.stringify({ gate: null, reason: 'no active model to compare with' })), 'no active model to compare with');
  assert.equal(auditSummary('rollback', JSON.stringify({ rolledBackFrom: 'flights-mlp@2' })), 'rolled back from flights-mlp@2');
  assert.equal(
    auditSummary('register', JSON.stringify({ accuracy: 0.8030044814744682, logLoss: 0.4671, auc: 0.70512, trainedRows: 41234, from: Date.UTC(2001, 0, 1), until: Date.UTC(2001, 1, 1) })),
    'trained on 41.2k rows · 2001-01-01 – 2001-02-01 · held-out accuracy 80.3%, log loss 0.467, AUC 0.705');
  assert.equal(auditSummary('policy-held', 'cooldown: 12 minutes left'), 'cooldown: 12 minutes left');
  assert.equal(auditSummary('other', JSON.stringify({ rows: 12000, share: 0.25, nested: { x: 1 } })), 'rows 12.0k, share 0.250');
  assert.equal(auditSummary('promote', null), '');
});

test('a finished job says why it stopped where it did', () => {
  assert.equal(stopReason({ status: 'done', epoch: 11, epochs: 12, error: null }), 'early stopping at epoch 11 of 12: the validation loss stopped improving');
  assert.equal(stopReason({ status: 'done', epoch: 12, epochs: 12, error: null }), 'ran all 12 epochs');
  assert.equal(stopReason({ status: 'running', epoch: 3, epochs: 12, error: null }), null);
  assert.equal(stopReason({ status: 'failed', epoch: 2, epochs: 20, error: 'out of memory' }), 'failed at epoch 2 of 20: out of memory');
  assert.equal(stopReason({ status: 'cancelled', epoch: 4, epochs: 12, error: null }), 'cancelled at epoch 4 of 12');
});

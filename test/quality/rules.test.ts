// Rules: inference from a reference profile, the row check, window breaches, validation at
// config load (errors name the key), and the incremental checker on a real SQLite file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildProfile } from '../../src/drift/profile.js';
import { compileRules, inferRules, rulesFingerprint, validateRules, windowBreaches, type QualityRules } from '../../src/quality/rules.js';
import { ConfigError, parseConfig } from '../../src/config.js';
import { QualityChecker } from '../../src/quality/checker.js';
import { openDb } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { qualityFlagsOf, qualityWindows } from '../../store/quality.js';
import { tempDir } from '../helpers/tmp.js';

const reference = [
  { hour: 5, origin: 'ORD', note: 'a' }, { hour: 23, origin: 'MCI', note: 'b' }, { hour: 0, origin: 'ORD', note: null }, { hour: 12, origin: 'LAX', note: 'c' },
];
const schema = { hour: 'numeric', origin: 'categorical', note: 'categorical' } as const;

test('inferRules: range, categories and missing share from the reference', () => {
  const rules = inferRules(buildProfile(reference, { ...schema }), { ...schema });
  assert.deepEqual(rules.hour, { type: 'numeric', min: 0, max: 23, maxMissingShare: 0.01 });
  assert.deepEqual(rules.origin, { type: 'categorical', categories: ['LAX', 'MCI', 'ORD'], maxMissingShare: 0.01, maxNewCategoryShare: 0.01 });
  assert.equal(rules.note!.maxMissingShare, 0.26, 'a quarter missing in the reference, plus the slack');
});

test('the row check: type, range, category; missing only when no missing value is allowed', () => {
  const rules: QualityRules = {
    hour: { type: 'numeric', min: 0, max: 23, maxMissingShare: 0.01 },
    origin: { type: 'categorical', categories: ['ORD'], maxMissingShare: 0 },
  };
  const c = compileRules(rules);
  assert.deepEqual(c.check({ hour: 5, origin: 'ORD' }), []);
  assert.deepEqual(c.check({ hour: '5', origin: 'ORD' }), [], 'a numeric string is a number, as in a CSV');
  assert.deepEqual(c.check({ hour: 1435, origin: 'O#D' }), [{ feature: 'hour', kind: 'range' }, { feature: 'origin', kind: 'category' }]);
  assert.deepEqual(c.check({ hour: 'noon', origin: null }), [{ feature: 'hour', kind: 'type' }, { feature: 'origin', kind: 'missing' }]);
  assert.deepEqual(c.check({ hour: true }), [{ feature: 'hour', kind: 'type' }, { feature: 'origin', kind: 'missing' }]);
  assert.deepEqual(c.check({ origin: 'ORD' }), [], 'hour may be missing now and then');
});

test('window breaches: missing share and new-category share above the maximum', () => {
  const rule = { type: 'categorical' as const, categories: ['a'], maxMissingShare: 0.1, maxNewCategoryShare: 0.05 };
  assert.deepEqual(windowBreaches(rule, { rows: 100, missing: 10, type: 0, range: 0, category: 4 }), []);
  assert.deepEqual(windowBreaches(rule, { rows: 100, missing: 11, type: 0, range: 0, category: 5 }), ['missing-share', 'new-category-share']);
});

test('config: rules validated at load, each error one sentence naming the key', () => {
  const load = (rules: unknown) => parseConfig(JSON.stringify({ quality: { rules } }), 'cfg.json');
  assert.equal(load({ hour: { type: 'numeric', min: 0, max: 23 } }).quality!.rules!.hour!.maxMissingShare, 1, 'defaults filled in');
  const cases: Array<[unknown, RegExp]> = [
    [{ hour: { type: 'number' } }, /cfg\.json: config key "quality\.rules\.hour\.type" must be "numeric" or "categorical"/],
    [{ hour: { type: 'numeric', min: 5, max: 1 } }, /"quality\.rules\.hour\.min" must not be above/],
    [{ hour: { type: 'numeric', maxMissingShare: 2 } }, /"quality\.rules\.hour\.maxMissingShare" must be a number between 0 and 1/],
    [{ hour: { type: 'numeric', categories: ['a'] } }, /"quality\.rules\.hour\.categories" applies to categorical features only/],
    [{ origin: { type: 'categorical', categories: [1] } }, /"quality\.rules\.origin\.categories" must be an array of strings/],
    [{ origin: { type: 'categorical', colour: 1 } }, /unknown config key "quality\.rules\.origin\.colour"/],
    [[], /"quality\.rules" must be an object/],
  ];
  for (const [rules, re] of cases) assert.throws(() => load(rules), (e: Error) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n'));
  assert.throws(() => parseConfig(JSON.stringify({ quality: { rule: {} } })), /unknown config key "quality\.rule"/);
});

test('fingerprint: the same rules in another key order are the same rules', () => {
  const a = { hour: { type: 'numeric' as const, min: 0, max: 23, maxMissingShare: 0.01 } };
  const b = { hour: { maxMissingShare: 0.01, max: 23, type: 'numeric' as const, min: 0 } };
  assert.equal(rulesFingerprint(a), rulesFingerprint(b));
  assert.notEqual(rulesFingerprint(a), rulesFingerprint({ hour: { ...a.hour, max: 24 } }));
});

test('the checker counts per model, window and feature incrementally, keeps every row, and recounts when the rules change', () => {
  const db = openDb(join(tempDir(), 'q.db'));
  const store = new IngestStore(db);
  const file = store.registerFile('/x.jsonl', '1', 'h', 0, false);
  const day = 86_400_000;
  const pred = (i: number, hour: unknown, day0: number) => ({ kind: 'prediction' as const, ts: day0 * day + i, id: `r-${day0}-${i}`, model: 'm', version: 1,
    features: { hour: hour as number, origin: 'ORD' }, prediction: 0, score: 0.2, scores: null, line: i });
  const rules: QualityRules = { hour: { type: 'numeric', min: 0, max: 23, maxMissingShare: 0.5 }, origin: { type: 'categorical', categories: ['ORD'], maxMissingShare: 0 } };
  const checker = new QualityChecker(db, rules, day);
  store.commitBatch(file, 10, 3, [pred(1, 5, 0), pred(2, 99, 0), pred(3, null, 0)], [], []);
  assert.equal(checker.catchUp(), 1);
  store.commitBatch({ ...file, offset: 10 }, 20, 4, [pred(4, 99, 1)], [], []);
  checker.catchUp();
  checker.catchUp(); // nothing new: counts do not grow
  const w = qualityWindows(db, 'm', 1).filter((x) => x.feature === 'hour');
  assert.deepEqual(w.map((x) => [x.windowStart, x.rows, x.range, x.missing, x.flagged]), [[0, 3, 1, 1, 1], [day, 1, 1, 0, 1]]);
  assert.equal(db.prepare('SELECT count(*) FROM predictions').pluck().get(), 4, 'rows kept');
  assert.equal(qualityFlagsOf(db, 'm', 1).length, 2);
  // other rules: the old counts meant something else, so everything is checked again
  new QualityChecker(db, { hour: { type: 'numeric', min: 0, max: 200, maxMissingShare: 0.5 } }, day).catchUp();
  assert.equal(qualityFlagsOf(db, 'm', 1).length, 0);
  assert.deepEqual(qualityWindows(db, 'm', 1).map((x) => [x.feature, x.rows]), [['hour', 3], ['hour', 1]]);
  db.close();
});

// The console's side of data quality: the engine checks ingested rows as part of its analytics
// steps and puts the Quality screen's figures in the snapshot — rules, flagged share per
// window, and (after its first analysis) cost and gain per feature in rank order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { Engine } from '../../src/engine/engine.js';
import { Operations } from '../../src/engine/operations.js';
import { tinyRegistry } from '../helpers/tinyRegistry.js';
import { until } from '../components/fixtures.js';

test('the engine flags rows as it ingests them and the snapshot ranks features by what cleaning buys', async () => {
  const { dbPath } = await tinyRegistry();
  const logs = join(dirname(dbPath), 'predictions');
  mkdirSync(logs);
  const day = Date.parse('2001-03-01T00:00:00Z');
  const lines: string[] = [];
  for (let i = 0; i < 900; i++) {
    const ts = day + Math.floor(i / 300) * 86_400_000 + (i % 300) * 60_000;
    // a clock time where the hour belongs in every 5th row of the last two days
    const hour = i >= 300 && i % 5 === 0 ? 1400 + (i % 50) : 6 + (i % 17);
    const features = { hour, dow: 'Thu', distance: 300 + (i % 700), origin: i % 7 === 0 ? 'X#Y' : 'PHX', destination: 'LAS' };
    lines.push(JSON.stringify({ ts, id: `q-${i}`, model: 'logreg', version: 1, features, prediction: hour > 100 ? 1 : 0, score: hour > 100 ? 0.99 : 0.2 }));
    lines.push(JSON.stringify({ ts: ts + 1000, id: `q-${i}`, label: i % 4 === 0 ? 1 : 0 }));
  }
  writeFileSync(join(logs, 'predictions-2001-03-01.jsonl'), `${lines.join('\n')}\n`);
  const config = { ...structuredClone(DEFAULT_CONFIG), db: dbPath, watch: logs };
  const engine = new Engine({ config, ingest: true, snapshotMs: 50 });
  try {
    await engine.start();
    await engine.caughtUp();
    const q0 = engine.current()!.quality!;
    assert.equal(q0.model, 'logreg@1');
    assert.equal(q0.rules, 'logreg@1', 'without rules in the config, the active model stands in');
    const hour0 = q0.features.find((f) => f.feature === 'hour')!;
    assert.equal(hour0.violating, 120);
    assert.equal(hour0.rows, 900);
    assert.deepEqual(hour0.history.map((x) => +x.toFixed(3)), [0, 0.2, 0.2], 'flagged share per daily window');
    await until(() => engine.current()?.quality?.analysedAt != null, 'the first cost-and-gain analysis', 60_000);
    const q = engine.current()!.quality!;
    assert.equal(q.features[0]!.feature, 'hour', 'cleaning hour buys most');
    assert.ok(q.features[0]!.gain! > 0);
    assert.equal(q.features[0]!.basis, 'labels');
    assert.ok(q.features[0]!.gainCi![0] <= q.features[0]!.gain! && q.features[0]!.gain! <= q.features[0]!.gainCi![1]);
    assert.ok(q.features.find((f) => f.feature === 'origin')!.violating > 0);
    // the Drift screen's features come ranked by the model's importance × PSI, the other rows after them
    const drift = engine.current()!.drift.features;
    const ranked = drift.filter((r) => r.weighted !== null && r.weighted !== undefined);
    assert.equal(ranked.length, 5, 'every feature has importance × PSI');
    for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1]!.weighted! >= ranked[i]!.weighted!, 'in rank order');
    assert.deepEqual(drift.slice(0, 5).map((r) => r.name), ranked.map((r) => r.name), 'features first');
    assert.ok(ranked.every((r) => typeof r.importance === 'number'));

    // The Quality screen's `e`: the rows to fix first, in a private file beside the database.
    const ops = new Operations(engine, config);
    try {
      const r = await ops.exportQualityRows('hour', 10);
      assert.equal(r.ok, true, r.message);
      const path = /to (\S+\.jsonl)$/.exec(r.message)![1]!;
      assert.equal(dirname(path), dirname(dbPath));
      assert.equal(statSync(path).mode & 0o777, 0o600);
      const rows = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { flagged: string[]; features: { hour: number }; rank: number });
      assert.equal(rows.length, 10);
      assert.deepEqual(rows.map((x) => x.rank), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.ok(rows.every((x) => x.flagged.includes('hour') && x.features.hour > 100), 'only rows whose hour breaks its rule');
      const bad = await ops.exportQualityRows('nope', 10);
      assert.equal(bad.ok, false);
      assert.match(bad.message, /no quality rule for feature "nope"/);
    } finally {
      ops.close();
    }
  } finally {
    await engine.stop();
  }
});

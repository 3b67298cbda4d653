import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinyRegistry } from '../helpers/tinyRegistry.js';
import { labelLine, predictionLine } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));

test('status --json: the active model, the registry, counts per model and file, the schema', async () => {
  const { dbPath } = await tinyRegistry();
  const dir = join(dirname(dbPath), 'predictions');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.jsonl'), `${predictionLine(1, 'logreg')}\n${predictionLine(1, 'mlp')}\n${labelLine(1)}\nnot json\n`);
  execFileSync(process.execPath, [BIN, 'ingest', '--once', '--quiet', '--db', dbPath, '--watch', dir]);
  const out = execFileSync(process.execPath, [BIN, 'status', '--json', '--db', dbPath], { encoding: 'utf8' });
  const s = JSON.parse(out) as Record<string, unknown> & { counts: Record<string, number>; registry: Array<{ model: string; alias: string }>; models: Array<{ model: string; predictions: number; labelled: number }>; schema: Array<{ name: string }> };
  assert.equal(s.active, 'logreg@1');
  assert.deepEqual(s.registry.map((m) => [m.model, m.alias]), [['logreg@1', 'active'], ['mlp@1', 'shadow']]);
  assert.deepEqual(s.counts, { predictions: 2, labels: 1, quarantined: 1, requests: 1 });
  assert.deepEqual(s.models.map((m) => [m.model, m.predictions, m.labelled]), [['logreg', 1, 1], ['mlp', 1, 1]]);
  assert.deepEqual(s.schema.map((f) => f.name), ['distance', 'hour', 'origin']);
});

test('status without a database says how to make one and exits non-zero', () => {
  const r = spawnSync(process.execPath, [BIN, 'status', '--db', '/nonexistent/x.db'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no database at \/nonexistent\/x\.db: run `mlops-tui ingest` first/);
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one sentence');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { currentOperator } from '../../store/audit.js';
import { promoteModel } from '../../store/registry.js';
import { startServer } from '../../src/serve/server.js';
import { tinyRegistry } from '../helpers/tinyRegistry.js';
import { tempDir } from '../helpers/tmp.js';

const features = { hour: 18, dow: 'Fri', distance: 405, origin: 'MCI', destination: 'MDW' };

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

test('serve answers with the active model, logs every serving model and labels, and follows a promotion', async () => {
  const { dbPath } = await tinyRegistry();
  const out = join(tempDir(), 'predictions');
  const db = openDb(dbPath);
  const s = await startServer(db, { out, port: 0, registryPollMs: 50 });
  try {
    const a = await post(`${s.url}/predict`, { id: 'r-1', ts: '2001-03-02T18:00:00Z', features });
    assert.equal(a.status, 200);
    assert.equal(a.json.model, 'logreg');
    assert.deepEqual(a.json.shadows, ['mlp@1']);
    assert.ok(typeof a.json.score === 'number' && a.json.score >= 0 && a.json.score <= 1);
    assert.equal((await post(`${s.url}/label`, { id: 'r-1', label: 1, ts: '2001-03-02T20:00:00Z' })).status, 200);
    assert.equal((await post(`${s.url}/predict`, { features: 'x' })).status, 400);
    assert.equal((await post(`${s.url}/label`, { label: 1 })).status, 400);

    // Another process (here: the same database) promotes the shadow; the next answer follows it.
    const other = openDb(dbPath);
    promoteModel(other, 'mlp', 1, currentOperator());
    other.close();
    await new Promise((r) => setTimeout(r, 120));
    const b = await post(`${s.url}/predict`, { id: 'r-2', ts: '2001-03-02T18:05:00Z', features });
    assert.equal(b.json.model, 'mlp');

    const file = readdirSync(out);
    assert.deepEqual(file, ['serve-2001-03-02.jsonl']);
    const lines = readFileSync(join(out, file[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.filter((l) => l.id === 'r-1' && 'model' in l).length, 2, 'active and shadow both logged');
    assert.equal(lines.filter((l) => 'label' in l && !('model' in l)).length, 1);
  } finally {
    await s.close();
    db.close();
  }
});

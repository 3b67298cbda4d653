/**
 * Per host (issue 17): the store keeps each shipped line's host; `hosts` counts
 * per host and compares each host's recent inputs with the other hosts pooled,
 * so the one replica whose inputs differ is named, and the others are not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../store/db.js';
import { FleetStore, type RemoteLine } from '../../store/fleetStore.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));

function lines(host: string, n: number, shift: number): RemoteLine[] {
  const out: RemoteLine[] = [];
  for (let i = 0; i < n; i++) {
    const origin = { id: `s-${host}:1:${i + 1}`, host, ship: `s-${host}`, fileId: 1, path: '/var/log/p.jsonl' };
    out.push({ kind: 'prediction', origin, record: {
      kind: 'prediction', ts: 981158400000 + i * 1000, id: `${host}-${i}`, model: 'm', version: 1,
      // x: the same distribution on every host but the shifted one; c: the same everywhere.
      features: { x: ((i * 37) % 100) + shift, c: ['a', 'b', 'c'][i % 3] }, prediction: i % 2, score: 0.5, scores: null, line: i + 1,
    } });
    if (i % 4 === 0) out.push({ kind: 'label', origin: { ...origin, id: `${origin.id}-l` }, record: { kind: 'label', ts: 981158400000 + i * 1000, id: `${host}-${i}`, label: 1, line: i + 1 } });
  }
  out.push({ kind: 'quarantined', origin: { ...origin(host), id: `s-${host}:1:bad` }, line: { lineNo: n + 1, reason: 'invalid JSON', text: '{', bytes: 1 } });
  return out;
}
const origin = (host: string) => ({ id: '', host, ship: `s-${host}`, fileId: 1, path: '/var/log/p.jsonl' });

test('hosts: counts per host, and the replica whose inputs differ is the one named', () => {
  const dir = tempDir('mlops-fleet-hosts-');
  const dbPath = join(dir, 'store.db');
  const db = openDb(dbPath);
  const store = new FleetStore(db);
  store.commit([...lines('web-a', 600, 0), ...lines('web-b', 600, 0)], [{ name: 'x', kind: 'numeric', source: 'inferred' }, { name: 'c', kind: 'categorical', source: 'inferred' }]);
  store.commit(lines('web-c', 600, 40));
  // Delivered again (a crash between commit and ack): absorbed, counts unchanged.
  const again = store.commit(lines('web-b', 600, 0));
  assert.deepEqual(again, { predictions: 0, labels: 0, duplicates: 750, quarantined: 0 });
  db.close();

  const r = spawnSync(process.execPath, [BIN, 'hosts', '--db', dbPath, '--json'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { hosts: Array<{ host: string; predictions: number; labels: number; quarantined: number }>; drift: Array<{ model: string; host: string; drifted: boolean; features: Array<{ feature: string; level: string }> }> };
  assert.deepEqual(out.hosts.map((h) => [h.host, h.predictions, h.labels, h.quarantined]), [['web-a', 600, 150, 1], ['web-b', 600, 150, 1], ['web-c', 600, 150, 1]]);
  const differs = out.drift.filter((d) => d.drifted).map((d) => d.host);
  assert.deepEqual(differs, ['web-c']);
  const c = out.drift.find((d) => d.host === 'web-c')!;
  assert.equal(c.features.find((f) => f.feature === 'x')!.level, 'drift');
  assert.equal(c.features.find((f) => f.feature === 'c')!.level, 'ok');

  const text = spawnSync(process.execPath, [BIN, 'hosts', '--db', dbPath], { cwd: dir, encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /web-c\s+DIFFERS: x drift/);
  assert.match(text.stdout, /web-a\s+like the others/);

  const bad = spawnSync(process.execPath, [BIN, 'hosts', '--db', join(dir, 'none.db')], { cwd: dir, encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /no database at .*none\.db/);
});

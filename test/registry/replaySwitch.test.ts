import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { openDb } from '../../store/db.js';
import { auditTrail } from '../../store/audit.js';
import { initBackend } from '../../src/models/backend.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { saveArtifact } from '../../src/registry/saveArtifact.js';
import { runReplay } from '../../src/replay/replay.js';
import { mulberry32 } from '../../src/util/random.js';
import { OPERATOR } from './storeFixture.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');

test('a replay scoring traffic sees a promotion made by another process within a second', async (t) => {
  await initBackend();
  const dir = tempDir();
  const rng = mulberry32(17);
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 300; i++) {
    const x = rng() * 4 - 2;
    rows.push({ x, c: `k${i % 3}`, y: rng() < 1 / (1 + Math.exp(-2 * x)) ? 1 : 0 });
  }
  const csv = ['ts,x,c,y'];
  const t0 = Date.UTC(2001, 0, 1);
  for (let i = 0; i < 40_000; i++) {
    const x = rng() * 4 - 2;
    csv.push(`${t0 + i * 1000},${x.toFixed(3)},k${i % 3},${rng() < 1 / (1 + Math.exp(-2 * x)) ? 1 : 0}`);
  }
  const data = join(dir, 'traffic.csv');
  writeFileSync(data, `${csv.join('\n')}\n`);

  const dbPath = join(dir, 'mlops.db');
  const db = openDb(dbPath);
  const schema = { x: 'numeric' as const, c: 'categorical' as const };
  saveArtifact(db, 'a', await trainArtifact(rows, { type: 'logreg', label: 'y', schema, epochs: 2 }), OPERATOR);
  saveArtifact(db, 'b', await trainArtifact(rows, { type: 'logreg', label: 'y', schema, epochs: 3 }), OPERATOR, 'shadow');

  const controller = new AbortController();
  let seenAt: number | null = null;
  let rowsBefore = 0;
  const replay = runReplay(db, {
    data, label: 'y', time: 'ts', out: join(dir, 'logs'), rate: 4000, labelDelayMs: 60_000, signal: controller.signal,
    onProgress: (p) => {
      if (seenAt === null && p.serving.includes('b@1*')) {
        seenAt = Date.now();
        setTimeout(() => controller.abort(), 200);
      } else if (seenAt === null) rowsBefore = p.rows;
    },
  });
  // another process promotes while the replay runs
  await new Promise((r) => setTimeout(r, 800));
  const promote = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, '--db', dbPath, 'promote', 'b@1', '--force', '--yes'], (err, _out, stderr) => resolve({ code: err ? 1 : 0, stderr }));
  });
  assert.equal(promote.code, 0, promote.stderr);
  await replay;
  const switchedAt = auditTrail(db, 1)[0];
  assert.equal(switchedAt.action, 'force-promote');
  assert.ok(seenAt !== null, 'the replay saw b@1 become active');
  const lag = (seenAt as number) - switchedAt.at;
  assert.ok(rowsBefore > 0, 'traffic was flowing before the switch');
  t.diagnostic(`switch seen ${lag} ms after commit`);
  assert.ok(lag < 1000, `the replay saw the switch ${lag} ms after it committed`);
  db.close();
});

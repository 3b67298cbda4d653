/**
 * Fault 3 of issue 13: ingest never retried a failed commit. After "database is locked" (a
 * writer holding the lock past the 5 s busy timeout) or "disk full" the process stayed up
 * printing "0 lines/s" and resumed only when the file grew: a finished file never completed
 * (fault run: 0 of 400 lines after the lock was released). Now the commit is retried with
 * backoff until it succeeds, the error is printed, shown by `status` while it lasts, and the
 * file completes (400 of 400).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { IngestService } from '../../src/ingest/ingestService.js';
import { predictionLine, labelLine, tempDir } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a lock held over the busy timeout: ingest retries, status shows the error, the finished file completes', { timeout: 120_000 }, async () => {
  const root = tempDir();
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  const dbPath = join(root, 'mlops.db');
  writeFileSync(join(dir, 'a.jsonl'), `${predictionLine(0)}\n`);
  const child = spawn(process.execPath, [BIN, 'ingest', '--watch', dir, '--db', dbPath], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  try {
    const count = (): number => {
      const db = openDb(dbPath, { readonly: true });
      try { return db.prepare('SELECT count(*) FROM predictions').pluck().get() as number; } finally { db.close(); }
    };
    await until(() => err.includes('watching') && count() === 1, 'the first line');
    const locker = openDb(dbPath);
    locker.exec('BEGIN IMMEDIATE');
    let statusDuring = '';
    try {
      // A finished file, written while the lock is held: nothing will make it grow again.
      let text = '';
      for (let i = 1; i < 400; i++) text += `${predictionLine(i)}\n${i % 4 === 0 ? `${labelLine(i)}\n` : ''}`;
      writeFileSync(join(dir, 'b.jsonl'), text);
      await until(() => /commit failed \(database is locked\); retry 1 in 250 ms/.test(err), 'the first failure', 30_000);
      const s = spawnSync(process.execPath, [BIN, 'status', '--db', dbPath], { encoding: 'utf8' });
      statusDuring = s.stdout;
      // Over the 5 s busy timeout, so the ingester's own wait gives up at least once more.
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      locker.exec('COMMIT');
      locker.close();
    }
    assert.match(statusDuring, /^ingest {5}pid \d+, since [\d-]+ [\d:]+: commit failed \(database is locked\); retry \d+ in/m);
    await until(() => count() === 400, 'the finished file to complete after the lock is released');
    await until(() => err.includes('commits succeed again'), 'the recovery message');
    const after = spawnSync(process.execPath, [BIN, 'status', '--db', dbPath], { encoding: 'utf8' });
    assert.doesNotMatch(after.stdout, /^ingest /m, 'the problem is gone from status once commits succeed');
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
  }
});

test('disk full: the commit is retried until space returns, and the file completes', async () => {
  const root = tempDir();
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  const db = openDb(join(root, 'mlops.db'));
  try {
    let text = '';
    for (let i = 0; i < 3000; i++) text += `${predictionLine(i)}\n`;
    writeFileSync(join(dir, 'a.jsonl'), text);
    // SQLite's own limit on this connection: the same SQLITE_FULL a full disk gives.
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 4}`);
    const service = new IngestService(new IngestStore(db), { dir, retry: { firstMs: 10, maxMs: 50 } });
    const failures: string[] = [];
    service.on('error', (e: Error) => failures.push(e.message));
    const scan = service.scanOnce();
    await until(() => failures.length >= 2, 'two failed attempts');
    assert.match(failures[0], /commit failed \(database or disk is full\); retry 1/);
    assert.equal(db.prepare('SELECT count(*) FROM predictions').pluck().get(), 0, 'nothing half-committed');
    db.pragma('max_page_count = 1073741823');
    await scan;
    assert.equal(db.prepare('SELECT count(*) FROM predictions').pluck().get(), 3000, 'fault run: 0 of 3000 until the file grew');
    assert.equal(service.problem, null);
  } finally {
    db.close();
  }
});

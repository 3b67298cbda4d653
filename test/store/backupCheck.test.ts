/*
 * `backup` while an ingest process writes, and `check` on the copy. The fault run had no
 * backup command and no integrity check at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { labelLine, predictionLine, tempDir } from '../helpers/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');

function lines(from: number, to: number): string {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(predictionLine(i), predictionLine(i, 'm2'), labelLine(i));
  return `${out.join('\n')}\n`;
}

function ids(dbPath: string): Set<string> {
  const db = openDb(dbPath, { readonly: true });
  try {
    return new Set((db.prepare("SELECT request_id || '/' || model AS k FROM predictions").pluck().all() as string[]));
  } finally {
    db.close();
  }
}

function count(dbPath: string, what = 'SELECT count(*) FROM predictions'): number {
  if (!existsSync(dbPath)) return 0;
  try {
    const db = openDb(dbPath, { readonly: true });
    try { return db.prepare(what).pluck().get() as number; } finally { db.close(); }
  } catch { return 0; }
}

const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

/** The CLI without blocking this process: the writer's timer here keeps appending meanwhile. */
function runAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

test('backup during a running ingest: the copy passes check and holds every row committed before the backup began', { timeout: 300_000 }, async () => {
  const root = tempDir();
  const watch = join(root, 'predictions');
  mkdirSync(watch);
  const log = join(watch, 'serving.jsonl');
  writeFileSync(log, lines(0, 30_000));
  const dbPath = join(root, 'mlops.db');
  const ingest: ChildProcess = spawn(process.execPath, [BIN, 'ingest', '--quiet', '--watch', watch, '--db', dbPath], { stdio: 'ignore' });
  let next = 30_000;
  // keeps the writer busy during the backup: a batch of lines every 20 ms
  const writer = setInterval(() => { appendFileSync(log, lines(next, next + 200)); next += 200; }, 20);
  try {
    // big enough for the backup's steps of 1,000 pages (whatever the page size) to take several
    while (count(dbPath) < 60_000 || count(dbPath, 'SELECT page_count FROM pragma_page_count()') < 1_500) await new Promise((r) => setTimeout(r, 100));
    const before = ids(dbPath);
    const backup = join(root, 'copies', 'backup.db');
    mkdirSync(join(root, 'copies'));
    // (spawnSync would stop the writer's timer for the whole backup: with the ingest caught up,
    // nothing new would be there to commit meanwhile)
    const b = await runAsync(['backup', backup, '--db', dbPath, '--json']);
    assert.equal(b.status, 0, b.stderr);
    const result = JSON.parse(b.stdout) as { pages: number; bytes: number; restarts: number };
    assert.ok(result.pages > 1000, `a copy of ${result.pages} pages spans several steps`);
    assert.equal((statSync(backup).mode & 0o777).toString(8), '600');
    const after = count(dbPath);
    assert.ok(after > before.size, 'ingest went on during the backup');

    const c = run(['check', '--db', backup]);
    assert.equal(c.status, 0, c.stdout + c.stderr);
    assert.match(c.stdout, /ok +integrity +integrity_check ok/);
    assert.match(c.stdout, /check passed/);
    const copied = ids(backup);
    let missing = 0;
    for (const k of before) if (!copied.has(k)) missing++;
    assert.equal(missing, 0, `every one of the ${before.size} rows committed before the backup is in the copy`);
    assert.ok(!existsSync(`${backup}-wal`), 'one self-contained file');
  } finally {
    clearInterval(writer);
    ingest.kill('SIGTERM');
    await new Promise((r) => ingest.once('exit', r));
  }
  const live = run(['check', '--db', dbPath, '--json']);
  assert.equal(live.status, 0, live.stdout);
  assert.equal((JSON.parse(live.stdout) as { ok: boolean }).ok, true);
});

test('check fails on a damaged file and on rows without their file, warns on an offset beyond the file end; backup refuses to overwrite', () => {
  const root = tempDir();
  const watch = join(root, 'predictions');
  mkdirSync(watch);
  writeFileSync(join(watch, 'a.jsonl'), lines(0, 3000));
  const dbPath = join(root, 'mlops.db');
  assert.equal(run(['ingest', '--once', '--quiet', '--watch', watch, '--db', dbPath]).status, 0);
  const first = run(['check', '--db', dbPath]);
  assert.equal(first.status, 0);
  assert.match(first.stdout, /auto_vacuum incremental; retention off: raw rows are kept for ever \(set retention\.rawDays\)/);

  // the log truncated in place below the committed offset
  writeFileSync(join(watch, 'a.jsonl'), lines(0, 10));
  const w = run(['check', '--db', dbPath]);
  assert.equal(w.status, 0, 'a warning alone passes');
  assert.match(w.stdout, /WARN  offsets +1 files are shorter than the offset/);
  assert.match(w.stdout, /a\.jsonl: offset \d+ but the file has \d+ bytes/);

  const orphan = join(root, 'orphan.db');
  assert.equal(run(['backup', orphan, '--db', dbPath]).status, 0);
  const again = run(['backup', orphan, '--db', dbPath]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /exists; pass --force/);
  const o = openDb(orphan);
  o.prepare('DELETE FROM files').run();
  o.close();
  const r = run(['check', '--db', orphan, '--json']);
  assert.equal(r.status, 1);
  const report = JSON.parse(r.stdout) as { ok: boolean; items: Array<{ name: string; level: string; details: string[] }> };
  assert.equal(report.ok, false);
  const orphans = report.items.find((i) => i.name === 'orphans')!;
  assert.equal(orphans.level, 'fail');
  assert.deepEqual(orphans.details, ['6000 predictions rows point at a file that is not registered', '3000 labels rows point at a file that is not registered']);

  // overwrite pages in the middle of a copy: integrity_check finds it
  const damaged = join(root, 'damaged.db');
  assert.equal(run(['backup', damaged, '--db', dbPath]).status, 0);
  const size = statSync(damaged).size;
  const fd = openSync(damaged, 'r+');
  writeSync(fd, Buffer.alloc(4096 * 4, 0x5a), 0, 4096 * 4, Math.floor(size / 2 / 4096) * 4096);
  closeSync(fd);
  const d = run(['check', '--db', damaged]);
  assert.equal(d.status, 1, d.stdout + d.stderr);
  assert.match(d.stdout + d.stderr, /FAIL|malformed|not a database/);
});

test('the backup of a database made before incremental auto-vacuum is converted (the live file is not touched)', async () => {
  const { default: Database } = await import('better-sqlite3');
  const { migrate } = await import('../../store/db.js');
  const root = tempDir();
  const dbPath = join(root, 'old.db');
  const raw = new Database(dbPath);
  raw.pragma('journal_mode = WAL');
  migrate(raw);
  raw.prepare("INSERT INTO meta (key, value) VALUES ('k', 'v')").run();
  raw.close();
  const copy = join(root, 'copy.db');
  const b = run(['backup', copy, '--db', dbPath]);
  assert.equal(b.status, 0, b.stderr);
  const c = run(['check', '--db', copy]);
  assert.equal(c.status, 0, c.stdout);
  assert.match(c.stdout, /auto_vacuum incremental/);
  assert.match(run(['check', '--db', dbPath]).stdout, /auto_vacuum none \(freed pages are reused but not returned to the disk\)/);
  const d = openDb(copy, { readonly: true });
  assert.equal(d.prepare("SELECT value FROM meta WHERE key = 'k'").pluck().get(), 'v');
  d.close();
});

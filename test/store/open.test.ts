/*
 * Opening the database on a shared host: private modes whatever the umask, and one sentence
 * naming the path for every file that is not ours to open (fault run: 644 files in a 755
 * directory; "file is not a database" without the path; "no such table: models" for an empty
 * file; a newer schema not refused explicitly).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDb, SCHEMA_VERSION } from '../../store/db.js';
import { MIGRATIONS } from '../../store/migrations.js';
import { IngestStore } from '../../store/ingestStore.js';
import { writeRoutingFile } from '../../src/registry/routing.js';
import { predictionLine, tempDir } from '../helpers/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');
const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

test('under umask 022 a new database, its WAL and SHM are 0600 in a 0700 directory, routing.json 0600', () => {
  const old = process.umask(0o022);
  try {
    const dir = join(tempDir(), 'var', 'mlops');
    const path = join(dir, 'mlops.db');
    const db = openDb(path);
    new IngestStore(db);
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('k', 'v');
    assert.ok(existsSync(`${path}-wal`) && existsSync(`${path}-shm`));
    // fault run: 644 644 644 and 755
    assert.deepEqual([mode(path), mode(`${path}-wal`), mode(`${path}-shm`), mode(dir), mode(join(dir, '..'))], ['600', '600', '600', '700', '700']);
    writeRoutingFile(join(dir, 'routing.json'), { active: 'a@1', shadows: [], updatedAt: new Date(0).toISOString() });
    assert.equal(mode(join(dir, 'routing.json')), '600');
    db.close();
  } finally {
    process.umask(old);
  }
});

test('a database left world-readable by an older version is made 0600 when opened', () => {
  const path = join(tempDir(), 'mlops.db');
  openDb(path).close();
  chmodSync(path, 0o644);
  const db = openDb(path);
  assert.equal(mode(path), '600');
  db.close();
});

test('every file the CLI writes under umask 022 is private: database, WAL, SHM, logs from replay/serve', async () => {
  const root = tempDir();
  const watch = join(root, 'predictions');
  mkdirSync(watch);
  writeFileSync(join(watch, 'a.jsonl'), `${predictionLine(1)}\n`);
  const dbPath = join(root, 'state', 'mlops.db');
  const child = spawn('/bin/sh', ['-c', `umask 022; exec "${process.execPath}" "${BIN}" ingest --quiet --db "${dbPath}" --watch "${watch}"`], { stdio: 'ignore' });
  try {
    // wait until the line is committed (the process is still running: the WAL is live)
    for (;;) {
      if (existsSync(`${dbPath}-wal`)) {
        const r = spawnSync(process.execPath, [BIN, 'status', '--json', '--db', dbPath], { encoding: 'utf8' });
        if (r.status === 0 && (JSON.parse(r.stdout) as { counts: { predictions: number } }).counts.predictions === 1) break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.deepEqual([mode(dbPath), mode(`${dbPath}-wal`), mode(`${dbPath}-shm`), mode(join(root, 'state'))], ['600', '600', '600', '700']);
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
  }
});

test('a non-SQLite file, an empty file, a directory and another application\'s database get one sentence naming the path', () => {
  const dir = tempDir();
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'hello, this is not a database at all, just some text that is long enough to have a header\n'.repeat(20));
  const empty = join(dir, 'empty.db');
  writeFileSync(empty, '');
  const other = join(dir, 'other.db');
  const o = new Database(other);
  o.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
  o.close();
  const cases: Array<[string[], RegExp]> = [
    [['status', '--db', text], new RegExp(`^mlops-tui: ${text.replace(/[.]/g, '\\.')} is not an SQLite database`)],
    [['ingest', '--once', '--db', text, '--watch', dir], new RegExp(`${text.replace(/[.]/g, '\\.')} is not an SQLite database`)],
    // fault run: "no such table: models"
    [['status', '--db', empty], new RegExp(`database ${empty.replace(/[.]/g, '\\.')} is empty`)],
    [['status', '--db', dir], new RegExp(`database ${dir} is a directory`)],
    [['ingest', '--once', '--db', other, '--watch', dir], /another application/],
  ];
  for (const [args, want] of cases) {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one sentence: ${r.stderr}`);
  }
  // the other application's file is untouched
  const after = new Database(other, { readonly: true });
  assert.deepEqual(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), [{ name: 'customers' }]);
  after.close();
});

test('a database written by a newer schema is refused, read-only or not, with one sentence and exit 1', () => {
  const path = join(tempDir(), 'mlops.db');
  openDb(path).close();
  const raw = new Database(path);
  raw.pragma(`user_version = ${SCHEMA_VERSION + 3}`);
  raw.close();
  for (const args of [['status'], ['ingest', '--once', '--watch', tempDir()], ['history']]) {
    const r = spawnSync(process.execPath, [BIN, ...args, '--db', path], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`database ${path.replace(/[.]/g, '\\.')} was written by a newer mlops-tui \\(schema ${SCHEMA_VERSION + 3}; this one reads up to ${SCHEMA_VERSION}\\)`));
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  const check = new Database(path, { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION + 3, 'left as it was');
  check.close();
});

test('a new database gets 16 KiB pages; one made with other pages keeps them when migrated', () => {
  const dir = tempDir();
  const fresh = openDb(join(dir, 'new.db'));
  try {
    assert.equal(fresh.pragma('page_size', { simple: true }), 16384);
    assert.equal(fresh.pragma('journal_mode', { simple: true }), 'wal');
  } finally {
    fresh.close();
  }
  // an older build's file: 4 KiB pages and the first migration only
  const oldPath = join(dir, 'old.db');
  const old = new Database(oldPath);
  old.pragma('journal_mode = WAL');
  old.exec(MIGRATIONS[0]);
  old.exec("INSERT INTO meta VALUES ('k', 'v')");
  old.pragma('user_version = 1');
  old.close();
  const reopened = openDb(oldPath);
  try {
    assert.equal(reopened.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(reopened.pragma('page_size', { simple: true }), 4096);
    assert.equal(reopened.prepare("SELECT value FROM meta WHERE key = 'k'").pluck().get(), 'v');
  } finally {
    reopened.close();
  }
});

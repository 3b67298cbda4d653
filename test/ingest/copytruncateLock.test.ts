/**
 * The soak's failing case, made deterministic: a copytruncate lands while another writer holds
 * the database's write lock, and two ingesters wait on that lock. The soak saw 296–1,705 lines
 * of the new generation read twice (counted in files.duplicates, the unique index kept one row
 * each) and its bad lines quarantined twice: the waiting ingester had looked at the file's first
 * bytes before the truncation, and once it got the lock it took the new generation another
 * ingester had just committed for a different file, retired it and registered one more
 * generation with the old head, which the next scan replaced again, reading from byte 0 a
 * second time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { FileIngestor } from '../../src/ingest/fileIngestor.js';
import { SchemaTracker } from '../../src/ingest/schemaTracker.js';
import { predictionLine, tempDir } from '../helpers/tmp.js';

const CHILD = fileURLToPath(new URL('./lockedScanChild.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

const lines = (from: number, to: number): string => {
  let s = '';
  for (let i = from; i < to; i++) s += `${i % 25 === 7 ? `not json #${i}` : predictionLine(i)}\n`;
  return s;
};

interface Second { said: (word: string) => Promise<void>; exited: Promise<number | null>; err: () => string; out: () => string }

/** The second ingester (lockedScanChild.ts), in its own process: SQLite's busy wait blocks its thread. */
function second(mode: 'identify' | 'commit', dbPath: string, path: string, gate = ''): Second {
  const child = spawn(process.execPath, ['--import', TSX, CHILD, mode, dbPath, path, gate], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return {
    exited, err: () => err, out: () => out,
    said: (word) => new Promise<void>((resolve, reject) => {
      const look = (): void => { if (out.includes(`${word}\n`)) resolve(); };
      child.stdout.on('data', look);
      look();
      void exited.then(() => reject(new Error(`the second ingester ended before "${word}": ${err}`)));
    }),
  };
}

test('copytruncate while the store is locked and a second ingester waits: each line stored once, none lost', { timeout: 60_000 }, async () => {
  const root = tempDir();
  const dbPath = join(root, 'mlops.db');
  const path = join(root, 'app.jsonl');
  writeFileSync(path, lines(0, 40)); // well over the 1 KiB head
  const db = openDb(dbPath);
  const store = new IngestStore(db);
  const ingestor = new FileIngestor(store, new SchemaTracker(store.schema()));
  try {
    await ingestor.scan(path);
    assert.equal(db.prepare('SELECT count(*) FROM predictions').pluck().get(), 38);

    // Another writer holds the lock (this connection: our own ingester below commits inside it, first).
    db.exec('BEGIN IMMEDIATE');
    const child = second('identify', dbPath, path);
    await child.said('identifying');
    // The second ingester has looked at the file and waits for the lock: copytruncate, the writer goes on.
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    appendFileSync(path, lines(100, 130));
    const scan = await ingestor.scan(path);
    assert.equal(scan?.generation, 'truncated');
    db.exec('COMMIT');

    assert.equal(await child.exited, 0, child.err());
    await ingestor.scan(path);
    appendFileSync(path, lines(130, 140));
    await ingestor.scan(path);

    const ids = db.prepare('SELECT request_id FROM predictions ORDER BY id').pluck().all() as string[];
    const want = [...Array(40).keys(), ...Array.from({ length: 40 }, (_, i) => 100 + i)].filter((i) => i % 25 !== 7).map((i) => `r-${i}`);
    assert.deepEqual(ids, want, 'every prediction once, none lost');
    const gens = db.prepare('SELECT head_len, offset, superseded, duplicates FROM files WHERE path = ? ORDER BY id').all(path);
    assert.equal(db.prepare('SELECT sum(duplicates) FROM files').pluck().get(), 0, `no line read twice: ${JSON.stringify(gens)}`);
    const quarantined = db.prepare('SELECT text FROM quarantine ORDER BY id').pluck().all();
    assert.deepEqual(quarantined, ['not json #7', 'not json #32', 'not json #107', 'not json #132'], 'each bad line quarantined once');
    assert.equal(gens.length, 2, `one generation per content of the file: ${JSON.stringify(gens)}`);
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    ingestor.close();
    db.close();
  }
});

/**
 * The other order: the second ingester has read a batch of the old generation and waits in its
 * commit when the file is copy-truncated. The batch and the new generation's reads never both
 * land for the same bytes: the commit checks, under the lock, that its generation is still the
 * file's and that the offset is the one it read from.
 */
for (const first of ['the new generation', 'the waiting batch'] as const) {
  test(`copytruncate while a batch waits in its commit, ${first} committed first: each line once, none lost outside the window`, { timeout: 60_000 }, async () => {
    const root = tempDir();
    const dbPath = join(root, 'mlops.db');
    const path = join(root, 'app.jsonl');
    const gate = join(root, 'gate');
    writeFileSync(path, lines(0, 40));
    const db = openDb(dbPath);
    const store = new IngestStore(db);
    const ingestor = new FileIngestor(store, new SchemaTracker(store.schema()));
    try {
      await ingestor.scan(path);
      appendFileSync(path, lines(40, 60)); // read by the second ingester, not committed yet
      const child = second('commit', dbPath, path, gate);
      // identified; it reads once it sees the gate, and the lock is ours by then
      await child.said('identified');
      db.exec('BEGIN IMMEDIATE');
      writeFileSync(gate, '');
      await child.said('committing');
      copyFileSync(path, `${path}.1`);
      truncateSync(path, 0);
      appendFileSync(path, lines(100, 130));
      if (first === 'the new generation') assert.equal((await ingestor.scan(path))?.generation, 'truncated');
      db.exec('COMMIT');
      assert.equal(await child.exited, 0, child.err());
      await ingestor.scan(path);

      // Lines 40-59 were after the committed offset when the file was truncated: copytruncate's
      // stated window. They are stored when the waiting batch commits first, lost otherwise.
      const old = first === 'the waiting batch' ? 60 : 40;
      const ids = db.prepare('SELECT request_id FROM predictions ORDER BY id').pluck().all() as string[];
      const want = [...Array(old).keys(), ...Array.from({ length: 30 }, (_, i) => 100 + i)].filter((i) => i % 25 !== 7).map((i) => `r-${i}`);
      assert.deepEqual(ids, want);
      const gens = db.prepare('SELECT head_len, offset, superseded, duplicates FROM files WHERE path = ? ORDER BY id').all(path);
      assert.equal(db.prepare('SELECT sum(duplicates) FROM files').pluck().get(), 0, `no line read twice: ${JSON.stringify(gens)}`);
      const bad = ['not json #7', 'not json #32', ...(old === 60 ? ['not json #57'] : []), 'not json #107'];
      assert.deepEqual(db.prepare('SELECT text FROM quarantine ORDER BY id').pluck().all(), bad);
      assert.equal(gens.length, 2, JSON.stringify(gens));
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      ingestor.close();
      db.close();
    }
  });
}

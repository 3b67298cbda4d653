/**
 * The soak's second double read, made deterministic. An ingester opens the watched path, then
 * drains a rotated file before it identifies what it opened (the drain yields to the event loop
 * between transactions). If logrotate renames the file it opened during that drain and another
 * ingester registers the new file at the path, the first one used to identify a descriptor that
 * no longer was the path's file: it retired the other's generation as "rotated", registered one
 * more for the old file, and the next scan registered the new file a third time and read it from
 * byte 0 again (the soak: 14,999 lines re-read, 15 bad lines quarantined twice).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { FileIngestor } from '../../src/ingest/fileIngestor.js';
import { SchemaTracker } from '../../src/ingest/schemaTracker.js';
import { predictionLine, tempDir } from '../helpers/tmp.js';

const lines = (from: number, to: number): string => {
  let s = '';
  for (let i = from; i < to; i++) s += `${i % 25 === 7 ? `not json #${i}` : predictionLine(i)}\n`;
  return s;
};

test('a file renamed away while an ingester drains before identifying it: each line stored once, none lost', { timeout: 60_000 }, async () => {
  const root = tempDir();
  const path = join(root, 'app.jsonl');
  const db = openDb(join(root, 'mlops.db'));
  const store = new IngestStore(db);
  // Small transactions, so the drain below commits and yields more than once.
  const limits = { maxLineBytes: 1 << 20, chunkBytes: 4096, rotationGraceMs: 60_000 };
  const first = new FileIngestor(store, new SchemaTracker(store.schema()), limits);
  const other = new FileIngestor(store, new SchemaTracker(store.schema()), limits);

  // generation Z: read by the first ingester, which keeps its descriptor
  writeFileSync(path, lines(0, 100));
  await first.scan(path);
  // Z is renamed away, its writer appends 100 more lines before reopening; a new file A appears
  renameSync(path, join(root, 'app.jsonl.1'));
  appendFileSync(join(root, 'app.jsonl.1'), lines(100, 200));
  writeFileSync(path, lines(200, 300));

  // The first ingester opens A, then drains Z (yielding between transactions)…
  const scanning = first.scan(path);
  // …meanwhile A is renamed away, its successor N appears and the other ingester reads N.
  renameSync(path, join(root, 'app.jsonl.2'));
  writeFileSync(path, lines(300, 400));
  await other.scan(path);
  await scanning;
  // Later polls of both, then the writers go quiet.
  for (let i = 0; i < 3; i++) {
    await first.scan(path);
    await other.scan(path);
  }
  first.close();
  other.close();

  const count = (sql: string): number => db.prepare(sql).pluck().get() as number;
  const dups = count('SELECT coalesce(sum(duplicates), 0) FROM files');
  const twice = count('SELECT count(*) FROM (SELECT text FROM quarantine GROUP BY text HAVING count(*) > 1)');
  const files = db.prepare('SELECT id, inode, offset, line_no, predictions, duplicates, superseded FROM files ORDER BY id').all();
  assert.equal(dups, 0, `lines read twice: ${JSON.stringify(files)}`);
  assert.equal(twice, 0, 'bad lines quarantined twice');
  // Every line of Z, A and N: 400 lines, of which 16 are not JSON (i % 25 === 7).
  assert.equal(count('SELECT count(*) FROM predictions'), 384, `predictions stored: ${JSON.stringify(files)}`);
  assert.equal(count('SELECT count(*) FROM quarantine'), 16);
  db.close();
});

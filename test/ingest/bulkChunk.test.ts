/**
 * The README's promise: `ingest` (the parse thread's path) commits 4 MiB of log per transaction,
 * the console's engine 1 MiB. Counted as the service's committed batches over a 9 MiB log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { BULK_CHUNK_BYTES, IngestService } from '../../src/ingest/ingestService.js';
import { DEFAULT_LIMITS } from '../../src/ingest/fileIngestor.js';
import { predictionLine, tempDir } from '../helpers/tmp.js';

async function commits(parseWorker: boolean): Promise<{ commits: number; bytes: number; rows: number }> {
  const root = tempDir();
  const dir = join(root, 'logs');
  mkdirSync(dir);
  const path = join(dir, 'serving.jsonl');
  const lines: string[] = [];
  for (let i = 0; i < 65_000; i++) lines.push(predictionLine(i));
  writeFileSync(path, `${lines.join('\n')}\n`);
  const db = openDb(join(root, 'mlops.db'));
  try {
    const service = new IngestService(new IngestStore(db), { dir, parseWorker });
    let n = 0;
    service.on('batch', () => { n++; });
    await service.scanOnce();
    await service.stop();
    return { commits: n, bytes: statSync(path).size, rows: db.prepare('SELECT count(*) FROM predictions').pluck().get() as number };
  } finally {
    db.close();
  }
}

test('ingest commits 4 MiB of log per transaction, the engine 1 MiB', async () => {
  assert.equal(BULK_CHUNK_BYTES, 4 * DEFAULT_LIMITS.chunkBytes);
  const bulk = await commits(true);
  const engine = await commits(false);
  assert.ok(bulk.bytes > 8 * 1024 * 1024, `a log of ${bulk.bytes} bytes`);
  assert.equal(bulk.rows, 65_000);
  assert.equal(engine.rows, 65_000);
  assert.equal(bulk.commits, Math.ceil(bulk.bytes / BULK_CHUNK_BYTES));
  assert.equal(engine.commits, Math.ceil(engine.bytes / DEFAULT_LIMITS.chunkBytes));
});

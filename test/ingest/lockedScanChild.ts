/**
 * A second ingester for test/ingest/copytruncateLock.test.ts: scans one file once and prints
 * its scan as JSON. It waits on the write lock (busy timeout 60 s) at one of two points:
 *
 * - `identify`: prints "identifying" (a pipe write is synchronous) just before it asks the store
 *   to identify the file, and waits there;
 * - `commit`: once the file is identified, prints "identified" and waits until the file `gate` exists (the test takes
 *   the lock meanwhile), reads its batch, prints "committing" and waits in the commit.
 */
import { existsSync } from 'node:fs';
import { openDb } from '../../store/db.js';
import { IngestStore, type BatchResult, type FileIdentity, type FileLook, type QuarantinedLine, type SchemaField } from '../../store/ingestStore.js';
import type { LabelRecord, PredictionRecord } from '../../store/records.js';
import { FileIngestor } from '../../src/ingest/fileIngestor.js';
import { SchemaTracker } from '../../src/ingest/schemaTracker.js';

const [mode, dbPath, path, gate] = process.argv.slice(2);
const db = openDb(dbPath, { busyTimeoutMs: 60_000 });
class Announcing extends IngestStore {
  override identifyFile(look: FileLook): FileIdentity {
    if (mode === 'identify') process.stdout.write('identifying\n');
    const id = super.identifyFile(look);
    const tick = new Int32Array(new SharedArrayBuffer(4));
    if (mode === 'commit') {
      process.stdout.write('identified\n');
      while (!existsSync(gate)) Atomics.wait(tick, 0, 0, 10);
    }
    return id;
  }

  override commitBatch(file: { id: number; path: string; offset: number }, offset: number, lineNo: number, preds: PredictionRecord[],
    labels: LabelRecord[], bad: QuarantinedLine[], newFields?: SchemaField[]): BatchResult {
    if (mode === 'commit') process.stdout.write('committing\n');
    return super.commitBatch(file, offset, lineNo, preds, labels, bad, newFields);
  }
}
const store = new Announcing(db);
const ingestor = new FileIngestor(store, new SchemaTracker(store.schema()));
const scan = await ingestor.scan(path);
ingestor.close();
db.close();
process.stdout.write(`${JSON.stringify(scan)}\n`);

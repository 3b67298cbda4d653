/**
 * A second ingester for test/ingest/copytruncateLock.test.ts: scans one file once, printing
 * "identifying" (the pipe write is synchronous) just before it asks the store to identify the
 * file, then waits on the write lock there (busy timeout 60 s), and prints its scan as JSON.
 */
import { openDb } from '../../store/db.js';
import { IngestStore, type FileIdentity, type FileLook } from '../../store/ingestStore.js';
import { FileIngestor } from '../../src/ingest/fileIngestor.js';
import { SchemaTracker } from '../../src/ingest/schemaTracker.js';

const [dbPath, path] = process.argv.slice(2);
const db = openDb(dbPath, { busyTimeoutMs: 60_000 });
class Announcing extends IngestStore {
  override identifyFile(look: FileLook): FileIdentity {
    process.stdout.write('identifying\n');
    return super.identifyFile(look);
  }
}
const store = new Announcing(db);
const ingestor = new FileIngestor(store, new SchemaTracker(store.schema()));
const scan = await ingestor.scan(path);
ingestor.close();
db.close();
process.stdout.write(`${JSON.stringify(scan)}\n`);

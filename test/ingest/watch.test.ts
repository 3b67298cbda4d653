import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, renameSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openDb, type Db } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { IngestService } from '../../src/ingest/ingestService.js';
import { labelLine, predictionLine, tempDir } from '../helpers/tmp.js';

function setup(limits = {}): { dir: string; db: Db; service: IngestService } {
  const root = tempDir();
  const dir = join(root, 'predictions');
  writeFileSync(join(root, '.keep'), '');
  const db = openDb(join(root, 'mlops.db'));
  const service = new IngestService(new IngestStore(db), { dir: root, limits, pollMs: 50 });
  return { dir: root, db, service };
}

const count = (db: Db, table: string): number => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

/** Waits until `cond` holds, driven by the watcher's own idle events rather than fixed sleeps. */
async function until(service: IngestService, cond: () => boolean, timeoutMs = 10000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for ingest');
    await new Promise((r) => setTimeout(r, 20));
    await service.idle();
  }
}

const lines = (from: number, to: number, model = 'm'): string => {
  let s = '';
  for (let i = from; i < to; i++) s += `${predictionLine(i, model)}\n`;
  return s;
};

test('lines appended while the watcher runs are counted; a half-written line waits for its newline', async () => {
  const { dir, db, service } = setup();
  const f = join(dir, 'a.jsonl');
  writeFileSync(f, lines(0, 100));
  await service.start();
  try {
    await until(service, () => count(db, 'predictions') === 100);
    appendFileSync(f, lines(100, 150) + labelLine(3) + '\n');
    await until(service, () => count(db, 'predictions') === 150 && count(db, 'labels') === 1);
    const half = predictionLine(150);
    appendFileSync(f, half.slice(0, 40));
    await new Promise((r) => setTimeout(r, 300));
    await service.idle();
    assert.equal(count(db, 'predictions'), 150, 'half line not ingested');
    assert.equal(count(db, 'quarantine'), 0, 'half line not quarantined');
    appendFileSync(f, `${half.slice(40)}\n`);
    await until(service, () => count(db, 'predictions') === 151);
    assert.equal(count(db, 'quarantine'), 0);
    const row = db.prepare('SELECT offset, line_no FROM files WHERE superseded = 0').get() as { offset: number; line_no: number };
    assert.equal(row.offset, statSync(f).size);
    assert.equal(row.line_no, 152);
  } finally {
    await service.stop();
  }
});

test('copytruncate and rename rotation re-read the new content from its start, once', async () => {
  const { dir, db, service } = setup();
  const f = join(dir, 'app.jsonl');
  writeFileSync(f, lines(0, 50));
  await service.start();
  try {
    await until(service, () => count(db, 'predictions') === 50);
    // copytruncate: the old content is copied away (not a watched name) and the file emptied.
    truncateSync(f, 0);
    appendFileSync(f, lines(50, 60));
    await until(service, () => count(db, 'predictions') === 60);
    // rename rotation to a watched name: continued, not read twice.
    renameSync(f, join(dir, 'app-1.jsonl'));
    writeFileSync(f, lines(60, 65));
    appendFileSync(join(dir, 'app-1.jsonl'), lines(65, 70));
    await until(service, () => count(db, 'predictions') === 70);
    await new Promise((r) => setTimeout(r, 200));
    await service.idle();
    const dups = db.prepare('SELECT sum(duplicates) FROM files').pluck().get() as number;
    assert.equal(dups, 0, 'rotation must not re-read lines');
    assert.equal(count(db, 'predictions'), 70);
    const gens = db.prepare("SELECT count(*) FROM files WHERE path = ?").pluck().get(f) as number;
    assert.ok(gens >= 2, 'truncation started a new generation');
  } finally {
    await service.stop();
  }
});

test('a truncated file refilled beyond its old size is recognised by its head and read again', async () => {
  const { dir, db, service } = setup();
  const f = join(dir, 'b.jsonl');
  writeFileSync(f, lines(0, 10));
  await service.scanOnce();
  writeFileSync(f, lines(1000, 1030)); // same inode, longer, different head
  await service.scanOnce();
  assert.equal(count(db, 'predictions'), 40);
});

test('gzip files are read whole; re-ingesting the same rows is idempotent', async () => {
  const { dir, db, service } = setup();
  writeFileSync(join(dir, 'old.jsonl.gz'), gzipSync(lines(0, 500) + labelLine(1) + '\n' + 'garbage\n'));
  await service.scanOnce();
  assert.equal(count(db, 'predictions'), 500);
  assert.equal(count(db, 'labels'), 1);
  assert.equal(count(db, 'quarantine'), 1);
  writeFileSync(join(dir, 'copy.jsonl'), lines(0, 500));
  await service.scanOnce();
  await service.scanOnce();
  assert.equal(count(db, 'predictions'), 500);
  assert.equal(db.prepare('SELECT sum(duplicates) FROM files').pluck().get(), 500);
  // The same request served by two models (shadow traffic) is two rows.
  writeFileSync(join(dir, 'shadow.jsonl'), lines(0, 500, 'shadow'));
  await service.scanOnce();
  assert.equal(count(db, 'predictions'), 1000);
});

test('a corpus of bad lines is quarantined with reasons and ingest goes on', async () => {
  const { dir, db, service } = setup({ maxLineBytes: 1024 * 1024 });
  const f = join(dir, 'bad.jsonl');
  const huge = `{"ts":1,"id":"big","model":"m","version":1,"features":{"x":"${'a'.repeat(5 * 1024 * 1024)}"},"prediction":1}`;
  const parts: Array<string | Buffer> = [
    `${predictionLine(1)}\n`,
    Buffer.from([0xff, 0xfe, 0x00, 0x9c, 0x80, 0x0a]), // binary garbage, ends with newline
    `${huge}\n`,
    '{"ts":1,"id":"a","model":"m","version":"x","features":{},"prediction":1}\n',
    `{"ts":1,"id":"deep","model":"m","version":1,"features":{"x":${'['.repeat(10000)}${']'.repeat(10000)}},"prediction":1}\n`,
    '{"ts":1,"id":"ctl","model":"m\u0007","version":1,"features":{},"prediction":1}\n', // raw control char inside a string: invalid JSON
    `${predictionLine(2)}\n`,
  ];
  writeFileSync(f, Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));
  await service.scanOnce();
  assert.equal(count(db, 'predictions'), 2);
  const q = db.prepare('SELECT line_no AS line, reason, length(text) AS len FROM quarantine ORDER BY line_no').all() as Array<{ line: number; reason: string; len: number }>;
  assert.deepEqual(q.map((r) => r.line), [2, 3, 4, 5, 6]);
  assert.match(q[0].reason, /UTF-8/);
  assert.match(q[1].reason, /exceeds the 1048576-byte cap/);
  assert.ok(q[1].len <= 512, 'quarantined copy is truncated');
  assert.match(q[2].reason, /"version"/);
  assert.match(q[3].reason, /feature "x"/);
  assert.match(q[4].reason, /invalid JSON/);
  const file = db.prepare('SELECT quarantined, line_no FROM files').get() as { quarantined: number; line_no: number };
  assert.deepEqual(file, { quarantined: 5, line_no: 7 });
});

test('an oversized line still being written is neither buffered whole nor committed', async () => {
  const { dir, db, service } = setup({ maxLineBytes: 1000, chunkBytes: 4096 });
  const f = join(dir, 'c.jsonl');
  writeFileSync(f, `${predictionLine(1)}\n${'x'.repeat(20000)}`);
  await service.scanOnce();
  assert.equal(count(db, 'quarantine'), 0);
  appendFileSync(f, `yyy\n${predictionLine(2)}\n`);
  await service.scanOnce();
  assert.equal(count(db, 'quarantine'), 1);
  assert.equal(count(db, 'predictions'), 2);
});

test('feature types are inferred from the first rows and persisted; pinned types win', async () => {
  const { dir, db, service } = setup();
  const store = new IngestStore(db);
  store.pinSchema({ hour: 'categorical' });
  const s2 = new IngestService(store, { dir, pollMs: 50 });
  writeFileSync(join(dir, 'x.jsonl'), `${JSON.stringify({ ts: 1, id: 'a', model: 'm', version: 1, features: { hour: 3, origin: 'MCI', late: null }, prediction: 0 })}\n`);
  await s2.scanOnce();
  assert.deepEqual(store.schema(), [
    { name: 'hour', kind: 'categorical', source: 'pinned' },
    { name: 'origin', kind: 'categorical', source: 'inferred' },
  ]);
  void service;
});

test('two ingesters on one database commit each line once', async () => {
  const root = tempDir();
  const dbPath = join(root, 'shared.db');
  let text = '';
  for (let i = 0; i < 3000; i++) text += `${predictionLine(i)}\n${i % 100 === 0 ? 'bad line\n' : ''}`;
  writeFileSync(join(root, 'a.jsonl'), text);
  const dbs = [openDb(dbPath), openDb(dbPath)];
  const services = dbs.map((d) => new IngestService(new IngestStore(d), { dir: root, limits: { chunkBytes: 16 * 1024 } }));
  await Promise.all(services.map((s) => s.scanOnce()));
  await Promise.all(services.map((s) => s.scanOnce()));
  const db = dbs[0];
  assert.equal(count(db, 'predictions'), 3000);
  assert.equal(count(db, 'quarantine'), 30, 'each bad line quarantined once');
  assert.equal(db.prepare('SELECT sum(duplicates) FROM files').pluck().get(), 0, 'no line read twice');
  const f = db.prepare('SELECT offset, line_no FROM files WHERE superseded = 0').get() as { offset: number; line_no: number };
  assert.deepEqual(f, { offset: statSync(join(root, 'a.jsonl')).size, line_no: 3030 });
});

test('logrotate to an unwatched name: lines written just before the rename are not lost', async () => {
  const { dir, db, service } = setup();
  const f = join(dir, 'app.jsonl');
  writeFileSync(f, lines(0, 10));
  await service.scanOnce();
  appendFileSync(f, lines(10, 15)); // written after our last read...
  renameSync(f, join(dir, 'app.jsonl.1')); // ...then rotated away to a name we do not watch
  writeFileSync(f, lines(15, 18));
  await service.scanOnce();
  assert.equal(count(db, 'predictions'), 18);
  await service.stop();
});

/**
 * Issue 14: the `ingest` command parses on a worker thread while the main thread inserts
 * (src/ingest/parsePipeline.ts). Whatever thread parses, the database must end up the same:
 * rows, their stored JSON, labels, quarantined lines with their reasons and samples, conflicts,
 * refused rows past the schema bound, redacted features, offsets and line numbers. Both paths
 * read one log here in chunks of 4 KiB (a few dozen transactions, so parse and commit overlap),
 * and the databases are compared table by table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, type Db } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { IngestService } from '../../src/ingest/ingestService.js';
import { Redactor } from '../../src/redact/redact.js';
import { tempDir } from '../helpers/tmp.js';
import { decodeBatch, encodeBatch, MAX_SHAPES, ShapeMirror } from '../../src/ingest/preparedBatch.js';
import { LineBatcher } from '../../src/ingest/lineBatcher.js';
import { ParsePipeline } from '../../src/ingest/parsePipeline.js';
import { FileIngestor } from '../../src/ingest/fileIngestor.js';
import { SchemaTracker, ShapeTable } from '../../src/ingest/schemaTracker.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
const T0 = Date.parse('2001-02-01T00:00:00Z');

/** A log with every kind of line: shadow predictions, labels, re-logs, conflicts, bad lines, new feature names. */
function log(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const ts = new Date(T0 + i * 1000).toISOString();
    const features: Record<string, unknown> = { distance: 100 + (i % 900), origin: ['ATL', 'ORD', 'N/A'][i % 3], email: `u${i % 7}@x.org`, hour: i % 24 };
    // a new feature name every 40 requests: past maxFeatureNames (8) rows are refused
    if (i % 40 === 0) features[`extra_${i}`] = i % 80 === 0 ? 'NaN' : i;
    if (i % 97 === 0) features.distance = null;
    for (const [model, version] of [['m-a', 1], ['m-b', 2]] as const) {
      const score = ((i * 7919) % 1000) / 1000;
      lines.push(JSON.stringify({ ts, id: `r-${i}`, model, version, features, prediction: score >= 0.5 ? 1 : 0, score }));
    }
    if (i % 3 === 0) lines.push(JSON.stringify({ ts: T0 + i * 1000 + 60_000, id: `r-${i}`, label: i % 2 === 0 ? 'yes' : 'no' }));
    if (i % 50 === 7) lines.push(lines[lines.length - 2]); // a re-log: a duplicate
    if (i % 50 === 9) lines.push(JSON.stringify({ ts, id: `r-${i}`, model: 'm-a', version: 1, features, prediction: 2, score: null }));
    if (i % 61 === 5) lines.push('{"ts": "2001-02-01T00:00:00Z", "id": "broken"');
    if (i % 71 === 3) lines.push(JSON.stringify({ ts: '2999-01-01T00:00:00Z', id: `late-${i}`, label: 1 }));
    if (i % 83 === 1) lines.push(JSON.stringify({ ts, id: `mc-${i}`, model: 'm-c', version: 1, features: { 'naïve 名前': 'é' }, prediction: 'b', score: { a: 0.25, b: 0.75 } }));
    if (i % 89 === 2) lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function dump(db: Db): Record<string, unknown[]> {
  const all = (sql: string): unknown[] => db.prepare(sql).all();
  return {
    predictions: all('SELECT id, request_id, model, version, ts, features, prediction, score, scores, file_id, line_no FROM predictions ORDER BY id'),
    labels: all('SELECT id, request_id, ts, label, file_id, line_no FROM labels ORDER BY id'),
    // (the bound a time was refused against follows the clock)
    quarantine: (all('SELECT id, line_no, reason, text, bytes FROM quarantine ORDER BY id') as Array<{ reason: string }>)
      .map((q) => ({ ...q, reason: q.reason.replace(/latest accepted [^)]+/, 'latest accepted (now)') })),
    conflicts: all('SELECT kind, request_id, model, version, kept, other, line_no FROM conflicts ORDER BY id'),
    schema: all('SELECT name, kind, source FROM schema_fields ORDER BY name'),
    files: all('SELECT offset, line_no, predictions, labels, duplicates, quarantined, conflicts FROM files ORDER BY id'),
    counts: all('SELECT model, version, predictions, labelled FROM traffic_counts ORDER BY model, version'),
  };
}

async function ingest(dir: string, dbPath: string, parseWorker: boolean, redact: Redactor): Promise<Record<string, unknown[]>> {
  const db = openDb(dbPath);
  try {
    const service = new IngestService(new IngestStore(db), {
      dir, parseWorker, redact, maxFeatureNames: 8, limits: { chunkBytes: 4096 },
      timeRange: { notBefore: Date.parse('2000-01-01T00:00:00Z'), maxAheadMs: 86_400_000 },
    });
    await service.scanOnce();
    // appended after the first scan, the last line without its newline yet
    appendFileSync(join(dir, 'serving.jsonl'), `${JSON.stringify({ ts: T0, id: 'tail', label: 1 })}\n{"ts":1,"id":"half`);
    await service.scanOnce();
    await service.stop();
    return dump(db);
  } finally {
    db.close();
  }
}

test('the parse worker stores exactly what parsing on the inserting thread stores', async () => {
  const key = Buffer.alloc(32, 7);
  for (const round of [0, 1]) {
    const root = tempDir();
    const dirs = [join(root, 'a'), join(root, 'b')];
    const text = log(round === 0 ? 600 : 1500);
    for (const d of dirs) {
      mkdirSync(d);
      writeFileSync(join(d, 'serving.jsonl'), text);
    }
    const inline = await ingest(dirs[0], join(root, 'inline.db'), false, new Redactor({ email: 'hash' }, key));
    const worker = await ingest(dirs[1], join(root, 'worker.db'), true, new Redactor({ email: 'hash' }, key));
    assert.ok((inline.predictions as unknown[]).length > 1000, 'the log has rows');
    assert.ok((inline.quarantine as Array<{ reason: string }>).some((q) => /ingest.maxFeatureNames/.test(q.reason)), 'rows past the schema bound were refused');
    assert.ok((inline.quarantine as Array<{ reason: string }>).some((q) => /out of range/.test(q.reason)), 'a time out of range was quarantined');
    assert.ok((inline.conflicts as unknown[]).length > 0, 'conflicts were found');
    assert.ok(!JSON.stringify(inline.predictions).includes('@x.org'), 'redacted');
    for (const table of Object.keys(inline)) {
      assert.deepEqual(worker[table], inline[table], `table ${table}`);
    }
  }
});

test('shapes sent before the table was cleared still describe the batches that used them', () => {
  // rows with a distinct feature name each: more shapes than the table keeps
  const lines = Array.from({ length: MAX_SHAPES + 600 }, (_, i) => JSON.stringify({ ts: T0, id: `r-${i}`, model: 'm', version: 1, features: { [`f${i}`]: i, g: 'x' }, prediction: 1 }));
  const half = MAX_SHAPES + 10;
  const table = new ShapeTable();
  const mirror = new ShapeMirror();
  let sent = 0;
  const received = [];
  for (const part of [lines.slice(0, half), lines.slice(half, half + 2), lines.slice(half + 2)]) {
    const b = new LineBatcher(0, 0, 1 << 20);
    b.push(Buffer.from(`${part.join('\n')}\n`));
    const e = encodeBatch(b.take(), table, sent);
    sent = e.sent;
    // received (shapes taken) in order, decoded later: as batches wait for their commit
    received.push({ msg: e.msg, shapes: mirror.receive(e.msg) });
  }
  assert.ok(received.some((r) => r.msg.shapesReset), 'the table was cleared once');
  let i = 0;
  for (const { msg, shapes } of received) {
    const p = decodeBatch(msg, shapes);
    for (let k = 0; k < p.predictions.length; k++, i++) {
      assert.deepEqual(p.shapes[p.rowShape[k]].map(([name]) => name), [`f${i}`, 'g'], `row ${i}`);
    }
  }
  assert.equal(i, lines.length);
});

test('ingest --once through the CLI (parse worker) stores and counts every line, then exits', () => {
  const root = tempDir();
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  writeFileSync(join(dir, 'serving.jsonl'), log(3000));
  const db = join(root, 'mlops.db');
  const r = spawnSync(process.execPath, [BIN, 'ingest', '--once', '--watch', dir, '--db', db], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const d = openDb(db, { readonly: true });
  try {
    const files = d.prepare('SELECT predictions, labels, duplicates, quarantined, conflicts FROM files').get() as Record<string, number>;
    assert.match(r.stderr, new RegExp(`ingested ${files.predictions} predictions, ${files.labels} labels, ${files.quarantined} quarantined, ${files.duplicates} duplicates`));
    assert.equal(d.prepare('SELECT count(*) FROM predictions').pluck().get(), files.predictions);
  } finally {
    d.close();
  }
});

test('a parse worker that dies mid-file: the scan goes on parsing in its own thread from the committed offset, every line once', async () => {
  const root = tempDir();
  const path = join(root, 'serving.jsonl');
  writeFileSync(path, log(400));
  const db = openDb(join(root, 'mlops.db'));
  try {
    const store = new IngestStore(db);
    const parser = new ParsePipeline({ maxLineBytes: 1 << 20, timeRange: { notBefore: 0, maxAheadMs: 86_400_000 }, newestTs: null, redact: null });
    let commits = 0;
    let killed: Promise<void> | null = null;
    const piped = new FileIngestor(store, new SchemaTracker(store.schema()), { maxLineBytes: 1 << 20, chunkBytes: 4096, rotationGraceMs: 1000 },
      () => { if (++commits === 3) killed = parser.close(); }, undefined, null, parser);
    const scan = await piped.scan(path);
    piped.close();
    assert.ok(killed !== null, 'the worker was terminated after the third commit');
    assert.ok(parser.broken !== null);
    assert.ok(commits > 10, `the rest was committed in-thread (${commits} commits)`);
    const lines = readFileSync(path, 'utf8').split('\n').length - 1;
    const f = db.prepare('SELECT offset, line_no, predictions, duplicates FROM files').get() as { offset: number; line_no: number; predictions: number; duplicates: number };
    assert.equal(f.line_no, lines, 'read to the last line');
    assert.equal(scan?.lines, lines);
    assert.equal(f.offset, statSync(path).size);
    assert.equal(db.prepare('SELECT count(*) FROM predictions').pluck().get(), f.predictions);
    assert.equal(f.duplicates, log(400).split('\n').filter((l, i, a) => l !== '' && a.indexOf(l) !== i && l.includes('"model"')).length, 'duplicates are the re-logs only');
  } finally {
    db.close();
  }
});

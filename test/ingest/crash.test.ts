/**
 * Exactly-once under crashes, against the real CLI in a child process.
 *
 * The unique index on (request_id, model, version) would hide a re-read of
 * predictions (INSERT OR IGNORE), so "no duplicate prediction" alone proves
 * little. What is checked after every kill is stronger: the committed offset
 * sits on a line boundary, and the rows in the database are exactly the lines
 * before it — same counts, same content checksum, same line numbers — with no
 * duplicate ever counted and no quarantined line stored twice (the quarantine
 * has no unique key, so a re-read would show there).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, type Db } from '../../store/db.js';
import { fullRowCounts, rowCounts } from '../../store/counters.js';
import { IngestStore } from '../../store/ingestStore.js';
import { IngestService } from '../../src/ingest/ingestService.js';
import { tempDir } from '../helpers/tmp.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'src/cli/main.ts');
const TSX = import.meta.resolve('tsx');

const enum Kind { Blank = 0, Prediction = 1, Label = 2, Bad = 3 }

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const predKey = (id: string, model: string, version: number, ts: number, line: number, features: string, score: number): number =>
  fnv1a(`${id}|${model}|${version}|${ts}|${line}|${features}|${score}`);
const labelKey = (id: string, ts: number, label: string, line: number): number => fnv1a(`${id}|${ts}|${label}|${line}`);

/**
 * Everything the file will ever hold, so the expected database state for any
 * committed offset is a prefix of it: per-line kind, end offset and checksum,
 * with prefix sums for O(log n) look-ups.
 */
class Corpus {
  private readonly parts: Buffer[] = [];
  private bytes = 0;
  readonly ends: number[] = [];
  readonly kinds: Kind[] = [];
  readonly hashes: number[] = [];
  private rand: () => number;

  constructor(seed: number) {
    let s = seed;
    this.rand = () => {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      return s / 4294967296;
    };
  }

  private push(line: Buffer | string, kind: Kind, hash = 0): void {
    const b = typeof line === 'string' ? Buffer.from(`${line}\n`) : Buffer.concat([line, Buffer.from('\n')]);
    this.parts.push(b);
    this.bytes += b.length;
    this.ends.push(this.bytes);
    this.kinds.push(kind);
    this.hashes.push(hash);
  }

  get lineCount(): number { return this.ends.length; }

  /** `n` requests, each scored by two models; every other one labelled one request later. */
  addTraffic(first: number, n: number, badEvery: number): void {
    const t0 = Date.parse('2001-02-01T00:00:00Z');
    let pending: { id: string; ts: number; label: number } | null = null;
    for (let r = first; r < first + n; r++) {
      const id = `r-${r}`;
      const ts = t0 + r * 1000;
      // Both time forms of the contract: epoch milliseconds and ISO 8601.
      const tsJson = r % 3 === 0 ? String(ts) : JSON.stringify(new Date(ts).toISOString());
      const features = {
        distance: 100 + Math.floor(this.rand() * 2400),
        origin: ['MCI', 'LAX', 'ORD', 'São Paulo', 'Zürich'][r % 5],
        hour: r % 24,
        dep_delay: Math.round((this.rand() * 60 - 10) * 10) / 10,
        weekend: r % 7 >= 5,
      };
      const fj = JSON.stringify(features);
      for (const [model, version] of [['flights-mlp', 3], ['flights-logreg', 1]] as const) {
        const score = Math.round(this.rand() * 1e4) / 1e4;
        const line = `{"ts":${tsJson},"id":"${id}","model":"${model}","version":${version},"features":${fj},"prediction":${score >= 0.5 ? 1 : 0},"score":${score}}`;
        this.push(line, Kind.Prediction, predKey(id, model, version, ts, this.lineCount + 1, fj, score));
      }
      if (pending !== null) {
        this.push(JSON.stringify({ ts: pending.ts, id: pending.id, label: pending.label }), Kind.Label,
          labelKey(pending.id, pending.ts, String(pending.label), this.lineCount + 1));
        pending = null;
      }
      if (r % 2 === 0) pending = { id, ts: ts + 900_000, label: this.rand() < 0.2 ? 1 : 0 };
      if (badEvery > 0 && r % badEvery === badEvery - 1) this.addBad(r);
    }
  }

  private badNo = 0;
  /** One of the ways a log line goes wrong, in turn. */
  addBad(r: number): void {
    const ts = '"2001-02-01T00:00:00Z"';
    const k = this.badNo++ % 8;
    if (k === 0) this.push(`{"ts":${ts},"id":"bad-${r}","model":`, Kind.Bad);
    else if (k === 1) this.push('not json at all', Kind.Bad);
    else if (k === 2) this.push(`{"ts":${ts},"id":"bad-${r}","model":"m","version":"3","features":{},"prediction":1}`, Kind.Bad);
    else if (k === 3) this.push(`{"ts":${ts},"id":"bad-${r}","model":"m","version":1,"prediction":1}`, Kind.Bad);
    else if (k === 4) this.push(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0xc3, 0x28, 0x7b]), Kind.Bad);
    else if (k === 5) this.push(`{"ts":${ts},"id":"bad-\x01\x1b[31m","model":"m","version":1,"features":{},"prediction":1}`, Kind.Bad);
    else if (k === 6) this.push(`{"ts":${ts},"id":"bad-${r}","model":"m","version":1,"features":{"a":1},"prediction":1,"score":1.5}`, Kind.Bad);
    else this.push(`${'['.repeat(3000)}${']'.repeat(3000)}`, Kind.Bad);
  }

  addBlank(): void { this.push('', Kind.Blank); }

  /** Longer than the 1 MiB cap and than one 1 MiB read: quarantined across chunk boundaries. */
  addOversize(): void {
    this.push(`{"ts":"2001-02-01T00:00:00Z","id":"huge","pad":"${'x'.repeat(1_500_000)}"}`, Kind.Bad);
  }

  buffer(): Buffer { return Buffer.concat(this.parts); }

  /** Number of whole lines in the first `offset` bytes; -1 when `offset` is not a line boundary. */
  linesAt(offset: number): number {
    if (offset === 0) return 0;
    let lo = 0;
    let hi = this.ends.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid] === offset) return mid + 1;
      if (this.ends[mid] < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  expected(lines: number): { predictions: number; labels: number; bad: number; predHash: number; labelHash: number; badLines: number[] } {
    const e = { predictions: 0, labels: 0, bad: 0, predHash: 0, labelHash: 0, badLines: [] as number[] };
    for (let i = 0; i < lines; i++) {
      const k = this.kinds[i];
      if (k === Kind.Prediction) { e.predictions++; e.predHash += this.hashes[i]; }
      else if (k === Kind.Label) { e.labels++; e.labelHash += this.hashes[i]; }
      else if (k === Kind.Bad) { e.bad++; e.badLines.push(i + 1); }
    }
    return e;
  }
}

interface FileState { offset: number; line_no: number; predictions: number; labels: number; duplicates: number; quarantined: number }

/** Asserts the database holds exactly the lines before its committed offset. Returns that offset. */
function checkPrefix(dbPath: string, corpus: Corpus, logPath: string, when: string): FileState {
  const db = openDb(dbPath, { readonly: true });
  try {
    const files = db.prepare('SELECT offset, line_no, predictions, labels, duplicates, quarantined FROM files WHERE superseded = 0').all() as FileState[];
    assert.equal(files.length, 1, `${when}: one live file row`);
    assert.equal((db.prepare('SELECT count(*) FROM files').pluck().get() as number), 1, `${when}: never a new generation of the same file`);
    const f = files[0];
    assert.ok(f.offset <= statSync(logPath).size, `${when}: offset ${f.offset} within the file`);
    const lines = corpus.linesAt(f.offset);
    assert.notEqual(lines, -1, `${when}: offset ${f.offset} is at a line boundary`);
    assert.equal(f.line_no, lines, `${when}: committed line number matches the offset`);
    const e = corpus.expected(lines);
    const counts = countsAndHashes(db);
    assert.equal(counts.predictions, e.predictions, `${when}: predictions before the offset, exactly once`);
    assert.equal(counts.labels, e.labels, `${when}: labels before the offset, exactly once`);
    assert.equal(counts.quarantined, e.bad, `${when}: quarantined lines before the offset, exactly once`);
    assert.equal(counts.predHash, e.predHash, `${when}: prediction checksum`);
    assert.equal(counts.labelHash, e.labelHash, `${when}: label checksum`);
    assert.deepEqual(counts.badLines, e.badLines, `${when}: quarantined line numbers`);
    assert.equal(f.duplicates, 0, `${when}: no line was ever read twice`);
    assert.deepEqual([f.predictions, f.labels, f.quarantined], [e.predictions, e.labels, e.bad], `${when}: file counters committed with their rows`);
    // status's row counters (store/counters.ts) are committed with their rows too: counted up to
    // the newest row, equal to full counts, whatever the kill interrupted
    const cursors = db.prepare('SELECT prediction_cursor AS p, label_cursor AS l, quarantine_cursor AS q FROM row_counts').get();
    assert.deepEqual(cursors, db.prepare('SELECT (SELECT coalesce(max(id), 0) FROM predictions) AS p, (SELECT coalesce(max(id), 0) FROM labels) AS l, (SELECT coalesce(max(id), 0) FROM quarantine) AS q').get(), `${when}: counted up to the newest rows`);
    const kept = rowCounts(db);
    assert.deepEqual(kept, fullRowCounts(db), `${when}: row counters equal full counts`);
    assert.deepEqual([kept.predictions, kept.labels, kept.quarantined], [e.predictions, e.labels, e.bad], `${when}: row counters`);
    return f;
  } finally {
    db.close();
  }
}

function countsAndHashes(db: Db): { predictions: number; labels: number; quarantined: number; predHash: number; labelHash: number; badLines: number[] } {
  let predictions = 0;
  let predHash = 0;
  for (const r of db.prepare('SELECT request_id, model, version, ts, line_no, features, score FROM predictions').iterate() as IterableIterator<{
    request_id: string; model: string; version: number; ts: number; line_no: number; features: string; score: number }>) {
    predictions++;
    predHash += predKey(r.request_id, r.model, r.version, r.ts, r.line_no, r.features, r.score);
  }
  let labels = 0;
  let labelHash = 0;
  for (const r of db.prepare('SELECT request_id, ts, label, line_no FROM labels').iterate() as IterableIterator<{
    request_id: string; ts: number; label: string; line_no: number }>) {
    labels++;
    labelHash += labelKey(r.request_id, r.ts, r.label, r.line_no);
  }
  const badLines = db.prepare('SELECT line_no FROM quarantine ORDER BY line_no').pluck().all() as number[];
  return { predictions, labels, quarantined: badLines.length, predHash, labelHash, badLines };
}

/** count(*) of predictions through a separate read-only connection; 0 before the child made the schema. */
function predictionsNow(dbPath: string): number {
  if (!existsSync(dbPath)) return 0;
  let db: Db | null = null;
  try {
    db = openDb(dbPath, { readonly: true });
    return db.prepare('SELECT count(*) FROM predictions').pluck().get() as number;
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

function committedOffset(dbPath: string): number {
  let db: Db | null = null;
  try {
    db = openDb(dbPath, { readonly: true });
    return (db.prepare('SELECT max(offset) FROM files WHERE superseded = 0').pluck().get() as number | null) ?? 0;
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

interface Child { proc: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }

function startCli(cwd: string, args: string[]): Child {
  // cwd is the temp dir so no mlops.config.json of the repo is picked up.
  const proc = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close', not 'exit': the pipes are drained by then, so stdout() is complete.
    proc.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { proc, stdout: () => out, stderr: () => err, exited };
}

async function waitFor(cond: () => boolean, what: string, child?: Child, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  let gone = false;
  void child?.exited.then(() => { gone = true; });
  while (!cond()) {
    if (gone) throw new Error(`child exited while waiting for ${what}: ${child!.stderr()}`);
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Appends the rest of the corpus in pieces cut anywhere, half lines included, while a child runs. */
class Appender {
  private timer: NodeJS.Timeout | null = null;
  private seed = 7;
  constructor(private readonly path: string, private readonly all: Buffer, public written: number) {}
  private next(): number {
    this.seed ^= this.seed << 13; this.seed >>>= 0; this.seed ^= this.seed >>> 17; this.seed ^= this.seed << 5; this.seed >>>= 0;
    return this.seed / 4294967296;
  }
  step(maxBytes = 4000): void {
    if (this.written >= this.all.length) return;
    const n = Math.min(this.all.length - this.written, 1 + Math.floor(this.next() * maxBytes));
    appendFileSync(this.path, this.all.subarray(this.written, this.written + n));
    this.written += n;
  }
  start(): void { this.timer = setInterval(() => this.step(), 5); }
  stop(): void { if (this.timer) clearInterval(this.timer); this.timer = null; }
  get done(): boolean { return this.written >= this.all.length; }
  get midLine(): boolean { return this.all[this.written - 1] !== 10; }
}

test('SIGKILL at several points while the file grows: every line ends up in the database exactly once', { timeout: 240_000 }, async () => {
  const root = tempDir('mlops-crash-');
  const logDir = join(root, 'predictions');
  mkdirSync(logDir);
  const logPath = join(logDir, 'serving.jsonl');
  const dbPath = join(root, 'mlops.db');

  // 120k requests x 2 models + 60k labels + bad lines = ~300k lines, then ~20k more appended during the crashes.
  const corpus = new Corpus(12345);
  corpus.addTraffic(0, 40_000, 3_000);
  corpus.addBlank();
  corpus.addOversize();
  corpus.addTraffic(40_000, 80_000, 3_000);
  const baseBytes = corpus.ends[corpus.lineCount - 1];
  const basePredictions = corpus.expected(corpus.lineCount).predictions;
  corpus.addTraffic(120_000, 8_000, 1_000);
  const all = corpus.buffer();
  const total = corpus.expected(corpus.lineCount);
  writeFileSync(logPath, all.subarray(0, baseBytes));
  const appender = new Appender(logPath, all, baseBytes);

  const children: Child[] = [];
  const watchArgs = ['ingest', '--watch', logDir, '--db', dbPath];
  const notes: string[] = [];
  try {
    let killedMidLine = 0;
    let lastOffset = 0;
    // The delay after the threshold moves the kill off the commit the poll just
    // saw, into the middle of reading, parsing or an open transaction.
    const killAt = async (share: number, delayMs: number): Promise<void> => {
      const c = startCli(root, watchArgs);
      children.push(c);
      appender.start();
      await waitFor(() => predictionsNow(dbPath) >= share * basePredictions, `${share * 100}% of the predictions`, c);
      await new Promise((r) => setTimeout(r, delayMs));
      c.proc.kill('SIGKILL');
      const { signal } = await c.exited;
      appender.stop();
      assert.equal(signal, 'SIGKILL');
      if (appender.midLine) killedMidLine++;
      const f = checkPrefix(dbPath, corpus, logPath, `after SIGKILL at ${share * 100}%`);
      assert.ok(f.offset >= lastOffset, 'the offset never goes back');
      lastOffset = f.offset;
      notes.push(`SIGKILL at ${f.line_no} lines committed (${predictionsNow(dbPath)} predictions), appended ${appender.written - baseBytes} bytes`);
    };

    await killAt(0.2, 0);

    // SIGTERM: the watcher commits what it read and exits 0, once its handlers are in (after "watching").
    {
      const c = startCli(root, watchArgs);
      children.push(c);
      appender.start();
      await waitFor(() => c.stderr().includes('watching') && predictionsNow(dbPath) >= 0.35 * basePredictions, 'watching and 35%', c);
      const before = predictionsNow(dbPath);
      c.proc.kill('SIGTERM');
      const { code, signal } = await c.exited;
      appender.stop();
      assert.equal(signal, null, `SIGTERM handled, not fatal: ${c.stderr()}`);
      assert.equal(code, 0, `clean exit after SIGTERM: ${c.stderr()}`);
      assert.match(c.stderr(), /SIGTERM: stopped/);
      const f = checkPrefix(dbPath, corpus, logPath, 'after SIGTERM');
      assert.ok(f.offset >= lastOffset);
      lastOffset = f.offset;
      notes.push(`SIGTERM with ${before} predictions seen, exit 0 at ${f.line_no} lines`);
    }

    await killAt(0.5, 9);
    await killAt(0.8, 23);
    assert.ok(killedMidLine > 0, 'at least one kill left a half-written line at the end of the file');

    // SIGINT after catching up: whatever was appended is ingested live, then a clean exit.
    {
      while (!appender.done) appender.step(200_000);
      const c = startCli(root, watchArgs);
      children.push(c);
      await waitFor(() => c.stderr().includes('watching') && committedOffset(dbPath) === all.length, 'catching up with the whole file', c);
      c.proc.kill('SIGINT');
      const { code, signal } = await c.exited;
      assert.equal(signal, null, `SIGINT handled: ${c.stderr()}`);
      assert.equal(code, 0, `clean exit after SIGINT: ${c.stderr()}`);
      assert.match(c.stderr(), /SIGINT: stopped/);
    }

    // A last --once finds nothing left and everything exactly once.
    const once = startCli(root, ['ingest', '--once', '--watch', logDir, '--db', dbPath]);
    children.push(once);
    const { code } = await once.exited;
    assert.equal(code, 0, once.stderr());
    assert.match(once.stderr(), /ingested 0 predictions, 0 labels, 0 quarantined, 0 duplicates/);

    const f = checkPrefix(dbPath, corpus, logPath, 'at the end');
    assert.equal(f.offset, statSync(logPath).size, 'offset equals the file size');
    assert.equal(f.offset, all.length);
    assert.equal(f.line_no, corpus.lineCount);
    assert.equal(f.predictions, total.predictions);
    assert.equal(f.labels, total.labels);
    assert.equal(f.quarantined, total.bad);
    assert.ok(total.predictions >= 250_000 && total.bad > 40, `a large corpus (${total.predictions} predictions, ${total.bad} bad lines)`);

    const status = startCli(root, ['status', '--json', '--db', dbPath]);
    assert.equal((await status.exited).code, 0, status.stderr());
    const s = JSON.parse(status.stdout()) as { counts: { predictions: number; labels: number; quarantined: number } };
    assert.deepEqual([s.counts.predictions, s.counts.labels, s.counts.quarantined], [total.predictions, total.labels, total.bad]);
    if (process.env.CRASH_TEST_VERBOSE) process.stderr.write(`${notes.join('\n')}\n`);
  } finally {
    appender.stop();
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  }
});

test('a commit that fails (database locked by another writer) leaves nothing behind; the retry writes the rows and their new schema fields', async () => {
  const root = tempDir('mlops-crash-');
  const logDir = join(root, 'predictions');
  mkdirSync(logDir);
  const logPath = join(logDir, 'a.jsonl');
  const dbPath = join(root, 'mlops.db');
  let text = '';
  // Over 1 KiB, so the file's head is complete and the next scan's first write is the batch itself.
  for (let i = 0; i < 20; i++) text += `{"ts":${i},"id":"r-${i}","model":"m","version":1,"features":{"x":${i}},"prediction":1,"score":0.5}\n`;
  writeFileSync(logPath, text);
  const db = openDb(dbPath, { busyTimeoutMs: 20 });
  const other = openDb(dbPath);
  try {
    const service = new IngestService(new IngestStore(db), { dir: logDir, retry: { firstMs: 10, maxMs: 40 } });
    await service.scanOnce();
    appendFileSync(logPath, '{"ts":20,"id":"r-20","model":"m","version":1,"features":{"x":1,"origin":"MCI"},"prediction":1,"score":0.5}\n');
    other.exec('BEGIN IMMEDIATE');
    const offset = (): number => db.prepare('SELECT offset FROM files').pluck().get() as number;
    const failures: string[] = [];
    service.on('error', (e: Error) => failures.push(e.message));
    const scan = service.scanOnce();
    while (failures.length < 3) await new Promise((r) => setTimeout(r, 5));
    assert.match(failures[0], /commit failed \(database is locked\); retry 1 in 10 ms/);
    assert.equal(service.problem, failures.at(-1));
    assert.equal(offset(), Buffer.byteLength(text), 'the failed batch did not move the offset');
    other.exec('COMMIT');
    await scan;
    assert.equal(service.problem, null);
    assert.equal(db.prepare('SELECT count(*) FROM predictions').pluck().get(), 21);
    assert.equal(offset(), statSync(logPath).size);
    assert.deepEqual(db.prepare('SELECT name, kind FROM schema_fields ORDER BY name').all(),
      [{ name: 'origin', kind: 'categorical' }, { name: 'x', kind: 'numeric' }]);
  } finally {
    other.close();
    db.close();
  }
});

/**
 * Reads what is new in one log file and commits it.
 *
 * A file is known by (path, inode, hash of its first bytes). The same path with
 * another inode or another head is a new file (rotation by rename + create, or a
 * replacement); a file shorter than its committed offset was truncated
 * (copytruncate). Both are read again from the start as a new generation. A new
 * path with the inode and head of a known file is that file renamed, and is
 * continued from its offset instead of being read twice. The decision is made
 * by the store under the write lock, so two ingesters agree on it.
 *
 * Rotation by rename: a writer keeps appending to its old descriptor until it
 * is told to reopen (logrotate's postrotate, typically a second or two later).
 * The descriptor we hold on the rotated file is drained at every poll until it
 * has not grown for the rotation grace period, so those lines are not lost.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, createReadStream, type Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { ConcurrentIngestError, FILE_GONE, type BatchResult, type FileIdentity, type FileRow, type IngestStore, type QuarantinedLine, type SchemaField } from '../../store/ingestStore.js';
import { LineBatcher, SAMPLE_BYTES, type Batch } from './lineBatcher.js';
import type { SchemaTracker } from './schemaTracker.js';
import { TimeRange } from '../core/timeRange.js';
import type { Redactor } from '../redact/redact.js';
import type { ParsePipeline } from './parsePipeline.js';
import type { PreparedBatch } from './preparedBatch.js';
import { predictionText } from '../../store/records.js';

export const HEAD_BYTES = 1024;

export interface IngestLimits {
  maxLineBytes: number;
  /** Bytes read per transaction; bounds memory and the time the event loop is held. */
  chunkBytes: number;
  /** A file rotated away is drained until it has not grown for this long, ms. */
  rotationGraceMs: number;
}

export const DEFAULT_LIMITS: IngestLimits = { maxLineBytes: 1024 * 1024, chunkBytes: 1024 * 1024, rotationGraceMs: 5000 };

interface Held { fd: number; inode: string; rowId: number }
interface Draining extends Held { lastSize: number; lastGrowth: number }

export interface CommittedBatch {
  path: string;
  fileId: number;
  result: BatchResult;
  /** Lines of the batch (stored, duplicate or quarantined). */
  lines: number;
}

export interface FileScan {
  path: string;
  lines: number;
  result: BatchResult;
  generation: 'new' | 'continued' | 'renamed' | 'truncated' | 'replaced';
}

function readHead(fd: number, len: number): Buffer {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

function hash(buf: Buffer): string {
  return createHash('sha1').update(buf).digest('hex');
}

const zero = (): BatchResult => ({ predictions: 0, labels: 0, duplicates: 0, quarantined: 0 });

function add(a: BatchResult, b: BatchResult): void {
  a.predictions += b.predictions;
  a.labels += b.labels;
  a.duplicates += b.duplicates;
  a.quarantined += b.quarantined;
  a.conflicts = (a.conflicts ?? 0) + (b.conflicts ?? 0);
}

export class FileIngestor {
  /** Set on shutdown: the scan stops at the next transaction boundary. */
  stopRequested = false;

  constructor(
    private readonly store: IngestStore,
    private readonly schema: SchemaTracker,
    private readonly limits: IngestLimits = DEFAULT_LIMITS,
    private readonly onCommit?: (c: CommittedBatch) => void,
    private readonly timeRange: TimeRange = new TimeRange(),
    private readonly redact: Redactor | null = null,
    /** Parses plain files on another thread while this one commits (src/ingest/parsePipeline.ts). */
    private readonly parser: ParsePipeline | null = null,
  ) {}

  /** Identifies the file at `path` and returns its row, starting a new generation when needed. */
  private identify(path: string, fd: number, st: Stats): FileIdentity {
    // The first bytes are read inside the store's IMMEDIATE transaction, at each look, never
    // before it: waiting for the write lock can take the whole busy timeout, and a copytruncate
    // in that wait makes an earlier look describe a file that no longer exists. With such a look
    // an ingester took the generation another one had just started (and committed lines of) for
    // a different file, retired it and registered one more with the old head; the next scan
    // replaced that one and read the new generation from byte 0 a second time
    // (test/ingest/copytruncateLock.test.ts). A look is a 1 KiB pread.
    const look = (): Buffer => readHead(fd, Math.min(fstatSync(fd).size, HEAD_BYTES));
    return this.store.identifyFile({
      path,
      inode: `${st.dev}:${st.ino}`,
      gz: path.endsWith('.gz'),
      head: () => { const head = look(); return { hash: hash(head), len: head.length }; },
      matches: (row) => {
        const head = look();
        return row.head_len <= head.length && hash(head.subarray(0, row.head_len)) === row.head_hash;
      },
      size: () => fstatSync(fd).size,
      atPath: () => {
        try {
          const now = statSync(path);
          return now.ino === st.ino && now.dev === st.dev;
        } catch {
          return false;
        }
      },
    });
  }

  /** Commits a batch; false when another process got there first (the scan of this file stops). */
  private commit(row: FileRow, path: string, read: Batch, total: BatchResult): boolean {
    // before anything else sees the rows: the schema, the store, the quarantine
    const batch = this.redact ? this.redact.batch(read) : read;
    const { added: fields, refused } = this.schema.admit(batch.predictions);
    // (built from the redacted rows, so a refused row's quarantine copy is redacted too)
    if (refused.length > 0) {
      const drop = this.refuse(batch.quarantined, refused.map(({ index, name }) => ({ index, name, line: batch.predictions[index].line ?? 0, text: () => {
        const { kind: _k, line: _l, ...rest } = batch.predictions[index];
        return JSON.stringify(rest);
      } })));
      batch.predictions = batch.predictions.filter((_, i) => !drop.has(i));
    }
    const lines = batch.predictions.length + batch.labels.length + batch.quarantined.length;
    return this.settle(row, path, batch, fields, lines, total,
      () => this.store.commitBatch({ id: row.id, path, offset: row.offset }, batch.endOffset, batch.endLine, batch.predictions, batch.labels, batch.quarantined, fields));
  }

  /** `commit` of a batch the parse worker prepared (parsed, time-checked and redacted there). */
  private commitPrepared(row: FileRow, path: string, batch: PreparedBatch, total: BatchResult): boolean {
    const { added: fields, refused } = this.schema.admitShapes(batch.shapes, batch.rowShape);
    if (refused.length > 0) {
      const drop = this.refuse(batch.quarantined, refused.map(({ index, name }) => ({ index, name, line: batch.predictions[index].line, text: () => predictionText(batch.predictions[index]) })));
      batch.predictions = batch.predictions.filter((_, i) => !drop.has(i));
    }
    const lines = batch.predictions.length + batch.labels.length + batch.quarantined.length;
    return this.settle(row, path, batch, fields, lines, total,
      () => this.store.commitRows({ id: row.id, path, offset: row.offset }, batch.endOffset, batch.endLine, batch.predictions, batch.labels, batch.quarantined, fields));
  }

  private settle(row: FileRow, path: string, batch: { endOffset: number; endLine: number }, fields: SchemaField[], lines: number, total: BatchResult,
    run: () => BatchResult): boolean {
    let result: BatchResult;
    try {
      result = run();
    } catch (err) {
      // The rows roll back (a locked database, a full disk, another ingester)
      // and are read again next time; their new fields must be written with them then.
      this.schema.forget(fields);
      if (err instanceof ConcurrentIngestError) return false;
      throw err;
    }
    add(total, result);
    this.onCommit?.({ path, fileId: row.id, result, lines });
    row.offset = batch.endOffset;
    row.line_no = batch.endLine;
    return true;
  }

  /** Quarantines rows that would take the schema past its bound, with the reason; returns their indices. */
  private refuse(quarantined: QuarantinedLine[], refused: Array<{ index: number; name: string; line: number; text: () => string }>): Set<number> {
    const drop = new Set<number>();
    refused.forEach(({ index, name, line, text: textOf }) => {
      drop.add(index);
      const text = textOf();
      quarantined.push({
        lineNo: line,
        reason: `feature "${name.slice(0, 64)}" would be distinct feature name ${this.schema.maxNames + 1}: the schema holds at most ${this.schema.maxNames} (ingest.maxFeatureNames)`,
        text: text.slice(0, SAMPLE_BYTES),
        bytes: Buffer.byteLength(text),
      });
    });
    return drop;
  }

  /**
   * Plain files stay open between scans. When logrotate renames a file to a
   * name we do not watch (app.jsonl -> app.jsonl.1) and creates a new one, the
   * lines written to the old file after our last read are still reachable
   * through the open descriptor: they are drained before the new file is read,
   * and again at every poll until the grace period passes without growth.
   */
  private readonly handles = new Map<string, Held>();
  private readonly draining: Draining[] = [];

  /** Descriptors of rotated files still being drained. */
  get drainingCount(): number {
    return this.draining.length;
  }

  private retire(path: string): void {
    const h = this.handles.get(path);
    if (!h) return;
    this.handles.delete(path);
    this.draining.push({ ...h, lastSize: -1, lastGrowth: Date.now() });
  }

  /** Reads what was appended to rotated files through their old descriptors; closes those that went quiet. */
  async drainRotated(total: BatchResult = zero()): Promise<void> {
    for (const d of [...this.draining]) {
      if (this.stopRequested) return;
      const row = this.store.fileById(d.rowId);
      const size = fstatSync(d.fd).size;
      const now = Date.now();
      if (size !== d.lastSize) {
        d.lastSize = size;
        d.lastGrowth = now;
      }
      if (row !== undefined && row.superseded !== FILE_GONE && size > row.offset) await this.scanPlain(d.fd, row.path, row, total);
      // Quiet for the grace period and read to its end (by us or another ingester: its offset is
      // committed); a last line that never got its newline is given up after ten grace periods.
      const done = row === undefined || row.superseded === FILE_GONE || (this.store.fileById(d.rowId)?.offset ?? size) >= size;
      const quiet = now - d.lastGrowth;
      if (row === undefined || row.superseded === FILE_GONE || (done && quiet >= this.limits.rotationGraceMs) || quiet >= 10 * this.limits.rotationGraceMs) {
        this.draining.splice(this.draining.indexOf(d), 1);
        closeSync(d.fd);
      }
    }
  }

  /** Closes the descriptors kept between scans. */
  close(): void {
    for (const h of this.handles.values()) closeSync(h.fd);
    for (const d of this.draining) closeSync(d.fd);
    this.handles.clear();
    this.draining.length = 0;
  }

  /** Ingests everything new in `path`. Returns null when the file vanished. */
  async scan(path: string): Promise<FileScan | null> {
    const total = zero();
    // A file renamed away before it was identified is read as a rotated file, and the path is
    // opened again; a path rotated faster than it can be opened gives up after a few tries.
    for (let attempt = 0; ; attempt++) {
      const scan = await this.scanOnce(path, total, attempt < 3);
      if (scan !== 'moved') return scan;
    }
  }

  private async scanOnce(path: string, total: BatchResult, retry: boolean): Promise<FileScan | null | 'moved'> {
    const gz = path.endsWith('.gz');
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.retire(path);
        await this.drainRotated(total);
        return null;
      }
      throw err;
    }
    let keep = false;
    try {
      const st = fstatSync(fd);
      const inode = `${st.dev}:${st.ino}`;
      const held = this.handles.get(path);
      if (held && held.inode !== inode) this.retire(path);
      // What the old file still holds comes before its successor.
      if (this.draining.length > 0) await this.drainRotated(total);
      const { row, generation, moved } = this.identify(path, fd, st);
      if (moved) {
        if (!gz) {
          // Its writer may still append until it reopens: drained like any rotated file (through
          // the descriptor held from an earlier scan, when there is one).
          if (this.handles.get(path)?.inode === inode) this.retire(path);
          else {
            this.draining.push({ fd, inode, rowId: row.id, lastSize: -1, lastGrowth: Date.now() });
            keep = true;
          }
          await this.drainRotated(total);
        }
        if (retry) return 'moved';
        return { path, lines: 0, result: total, generation };
      }
      const lines = gz ? await this.scanGzip(path, row, total) : await this.scanPlain(fd, path, row, total);
      const h = this.handles.get(path);
      if (!gz && (h === undefined || h.rowId !== row.id)) {
        if (h !== undefined) {
          // Same inode, new generation (truncated or rewritten): the old descriptor is this file.
          closeSync(h.fd);
        }
        this.handles.set(path, { fd, inode, rowId: row.id });
        keep = true;
      }
      return { path, lines, result: total, generation };
    } finally {
      if (!keep) closeSync(fd);
    }
  }

  /** The file behind `fd` is still `row`'s generation: not shorter than `pos`, and the same first bytes. */
  private unchanged(fd: number, row: FileRow, pos: number): boolean {
    if (fstatSync(fd).size < pos) return false;
    if (row.head_len === 0) return true;
    const head = readHead(fd, row.head_len);
    return head.length === row.head_len && hash(head) === row.head_hash;
  }

  private async scanPlain(fd: number, path: string, row: FileRow, total: BatchResult): Promise<number> {
    if (this.parser !== null && this.parser.broken === null) {
      try {
        return await this.scanPiped(fd, path, row, total, this.parser);
      } catch (err) {
        // The worker died (out of memory, killed): go on here from the offset committed last.
        if (this.parser.broken === null) throw err;
      }
    }
    const batcher = new LineBatcher(row.offset, row.line_no, this.limits.maxLineBytes, this.timeRange);
    let pos = row.offset;
    const buf = Buffer.allocUnsafe(this.limits.chunkBytes);
    while (!this.stopRequested) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      // copytruncate under our feet: a read that began in the old content may have
      // continued in the new one. Checked after the read, so what is committed was read
      // while the file still was this generation; the next scan starts the new one.
      if (!this.unchanged(fd, row, pos)) break;
      batcher.push(Buffer.from(buf.subarray(0, n)));
      const batch = batcher.take();
      if ((batch.endOffset > row.offset || batch.quarantined.length > 0) && !this.commit(row, path, batch, total)) break;
      // Let timers and key presses run between transactions.
      await new Promise((r) => setImmediate(r));
    }
    return row.line_no;
  }

  /**
   * `scanPlain` with the parsing on the parse worker: chunk N+1 is read and parsed there while
   * chunk N commits here. Each chunk is checked to be of this generation right after it is read,
   * as above; a batch parsed but not committed (a stop, another ingester first) is dropped.
   */
  private async scanPiped(fd: number, path: string, row: FileRow, total: BatchResult, parser: ParsePipeline): Promise<number> {
    const stream = parser.open(row.offset, row.line_no);
    try {
      let pos = row.offset;
      let inFlight = 0;
      const readNext = (): boolean => {
        if (this.stopRequested) return false;
        const buf = Buffer.allocUnsafeSlow(this.limits.chunkBytes);
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) return false;
        pos += n;
        if (!this.unchanged(fd, row, pos)) return false;
        stream.send(buf, n);
        inFlight++;
        return true;
      };
      let more = readNext();
      while (inFlight > 0) {
        if (more) more = readNext();
        const batch = await stream.next();
        inFlight--;
        if (this.stopRequested) break;
        if ((batch.endOffset > row.offset || batch.quarantined.length > 0) && !this.commitPrepared(row, path, batch, total)) break;
        // Let timers and key presses run between transactions.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      stream.close();
    }
    return row.line_no;
  }

  private async scanGzip(path: string, row: FileRow, total: BatchResult): Promise<number> {
    // Offsets of a .gz file count decompressed bytes: the stream is read from
    // the start and the bytes already committed are skipped.
    const batcher = new LineBatcher(row.offset, row.line_no, this.limits.maxLineBytes, this.timeRange);
    let seen = 0;
    const stream = createReadStream(path).pipe(createGunzip());
    let pending = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (this.stopRequested) {
          stream.destroy();
          const batch = batcher.take();
          if (batch.endOffset > row.offset) this.commit(row, path, batch, total);
          return row.line_no;
        }
        let c = chunk;
        if (seen + c.length <= row.offset) { seen += c.length; continue; }
        if (seen < row.offset) c = c.subarray(row.offset - seen);
        seen += chunk.length;
        batcher.push(c);
        pending += c.length;
        if (pending >= this.limits.chunkBytes) {
          pending = 0;
          if (!this.commit(row, path, batcher.take(), total)) {
            stream.destroy();
            return row.line_no;
          }
        }
      }
    } catch (err) {
      // A .gz still being written ends early: keep what is committed, retry later.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'Z_BUF_ERROR' && code !== 'Z_DATA_ERROR') throw err;
      const batch = batcher.take();
      if (batch.endOffset > row.offset) this.commit(row, path, batch, total);
      return row.line_no;
    }
    batcher.finish();
    const batch = batcher.take();
    if (batch.endOffset > row.offset || batch.quarantined.length > 0 || batch.predictions.length + batch.labels.length > 0) {
      this.commit(row, path, batch, total);
    }
    return row.line_no;
  }
}

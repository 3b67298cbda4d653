/**
 * Reads what is new in one log file and commits it.
 *
 * A file is known by (path, inode, hash of its first bytes). The same path with
 * another inode or another head is a new file (rotation by rename + create, or a
 * replacement); a file shorter than its committed offset was truncated
 * (copytruncate). Both are read again from the start as a new generation. A new
 * path with the inode and head of a known file is that file renamed, and is
 * continued from its offset instead of being read twice.
 */
import { closeSync, fstatSync, openSync, readSync, createReadStream, type Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { ConcurrentIngestError, type BatchResult, type FileRow, type IngestStore } from '../../store/ingestStore.js';
import { LineBatcher, type Batch } from './lineBatcher.js';
import type { SchemaTracker } from './schemaTracker.js';
import { TimeRange } from '../core/timeRange.js';

export const HEAD_BYTES = 1024;

export interface IngestLimits {
  maxLineBytes: number;
  /** Bytes read per transaction; bounds memory and the time the event loop is held. */
  chunkBytes: number;
}

export const DEFAULT_LIMITS: IngestLimits = { maxLineBytes: 1024 * 1024, chunkBytes: 1024 * 1024 };

export interface CommittedBatch {
  path: string;
  fileId: number;
  result: BatchResult;
  batch: Batch;
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
  ) {}

  /** Identifies the file at `path` and returns its row, starting a new generation when needed. */
  private identify(path: string, fd: number, st: Stats): { row: FileRow; generation: FileScan['generation'] } {
    const inode = `${st.dev}:${st.ino}`;
    const gz = path.endsWith('.gz');
    const head = readHead(fd, Math.min(st.size, HEAD_BYTES));
    const headHash = hash(head);
    const matchesHead = (row: FileRow): boolean => row.head_len <= head.length && hash(head.subarray(0, row.head_len)) === row.head_hash;
    const row = this.store.currentFile(path);
    if (row !== undefined) {
      let generation: FileScan['generation'] | null = null;
      if (row.inode !== inode) generation = 'replaced';
      else if (!gz && st.size < row.offset) generation = 'truncated';
      else if (!matchesHead(row)) generation = 'replaced';
      if (generation !== null) return { row: this.store.registerFile(path, inode, headHash, head.length, gz), generation };
      if (row.head_len < head.length) this.store.updateHead(row.id, headHash, head.length);
      return { row, generation: 'continued' };
    }
    for (const cand of this.store.filesWithInode(inode)) {
      if (cand.path !== path && matchesHead(cand)) {
        this.store.adoptPath(cand.id, path);
        if (cand.head_len < head.length) this.store.updateHead(cand.id, headHash, head.length);
        return { row: { ...cand, path }, generation: 'renamed' };
      }
    }
    return { row: this.store.registerFile(path, inode, headHash, head.length, gz), generation: 'new' };
  }

  /** Commits a batch; false when another process got there first (the scan of this file stops). */
  private commit(row: FileRow, path: string, batch: Batch, total: BatchResult): boolean {
    const fields = this.schema.observe(batch.predictions);
    let result: BatchResult;
    try {
      result = this.store.commitBatch({ id: row.id, path, offset: row.offset }, batch.endOffset, batch.endLine, batch.predictions, batch.labels, batch.quarantined, fields);
    } catch (err) {
      // The rows roll back (a locked database, a full disk, another ingester)
      // and are read again next time; their new fields must be written with them then.
      this.schema.forget(fields);
      if (err instanceof ConcurrentIngestError) return false;
      throw err;
    }
    add(total, result);
    this.onCommit?.({ path, fileId: row.id, result, batch });
    row.offset = batch.endOffset;
    row.line_no = batch.endLine;
    return true;
  }

  /** Ingests everything new in `path`. Returns null when the file vanished. */
  /**
   * Plain files stay open between scans. When logrotate renames a file to a
   * name we do not watch (app.jsonl -> app.jsonl.1) and creates a new one, the
   * lines written to the old file after our last read are still reachable
   * through the open descriptor: they are drained before the new file is read.
   */
  private readonly handles = new Map<string, { fd: number; inode: string }>();

  private async drain(path: string, total: BatchResult): Promise<void> {
    const h = this.handles.get(path);
    if (!h) return;
    this.handles.delete(path);
    try {
      const row = this.store.currentFile(path);
      if (row && row.inode === h.inode) await this.scanPlain(h.fd, path, row, total);
    } finally {
      closeSync(h.fd);
    }
  }

  /** Closes the descriptors kept between scans. */
  close(): void {
    for (const h of this.handles.values()) closeSync(h.fd);
    this.handles.clear();
  }

  /** Ingests everything new in `path`. Returns null when the file vanished. */
  async scan(path: string): Promise<FileScan | null> {
    const total = zero();
    const gz = path.endsWith('.gz');
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        await this.drain(path, total);
        return null;
      }
      throw err;
    }
    let keep = false;
    try {
      const st = fstatSync(fd);
      const inode = `${st.dev}:${st.ino}`;
      const held = this.handles.get(path);
      if (held && held.inode !== inode) await this.drain(path, total);
      const { row, generation } = this.identify(path, fd, st);
      const lines = gz ? await this.scanGzip(path, row, total) : await this.scanPlain(fd, path, row, total);
      if (!gz && !this.handles.has(path)) {
        this.handles.set(path, { fd, inode });
        keep = true;
      }
      return { path, lines, result: total, generation };
    } finally {
      if (!keep) closeSync(fd);
    }
  }


  private async scanPlain(fd: number, path: string, row: FileRow, total: BatchResult): Promise<number> {
    const batcher = new LineBatcher(row.offset, row.line_no, this.limits.maxLineBytes, this.timeRange);
    let pos = row.offset;
    const buf = Buffer.allocUnsafe(this.limits.chunkBytes);
    while (!this.stopRequested) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      batcher.push(Buffer.from(buf.subarray(0, n)));
      const batch = batcher.take();
      if ((batch.endOffset > row.offset || batch.quarantined.length > 0) && !this.commit(row, path, batch, total)) break;
      // Let timers and key presses run between transactions.
      await new Promise((r) => setImmediate(r));
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

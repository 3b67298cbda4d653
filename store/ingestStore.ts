/**
 * Writes of the ingest path. A batch of rows and the new byte offset of the
 * file they came from are committed in ONE transaction: after a crash either
 * both are there or neither is, so a restart resumes at the committed offset
 * and never loses or duplicates a line. The unique index on
 * (request_id, model, version) makes a re-read of the same lines (a rotated
 * copy, a replayed file) idempotent on top of that.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { ConflictLog } from './conflicts.js';
import { catchUpCounts, PredictionTally } from './counters.js';
import { labelRow, predictionRow, type LabelRecord, type LabelRow, type PredictionRecord, type PredictionRow } from './records.js';

export interface FileRow {
  id: number;
  path: string;
  inode: string;
  head_hash: string;
  head_len: number;
  gz: number;
  offset: number;
  line_no: number;
  superseded: number;
}

/** `files.superseded`: the path holds this file; the file's content is gone (truncated, rewritten); it was rotated away. */
export const FILE_LIVE = 0;
export const FILE_GONE = 1;
export const FILE_ROTATED = 2;

/**
 * A reader's look at a file, asked from inside the identifying transaction: the head and the
 * size are read again there, as another ingester may have committed past what was seen before.
 */
export interface FileLook {
  path: string;
  inode: string;
  gz: boolean;
  /** Hash and length of the file's first bytes (up to 1 KiB), read now. */
  head(): { hash: string; len: number };
  /** Whether the file starts with the bytes `row` was registered with. */
  matches(row: FileRow): boolean;
  /** The file's size now. */
  size(): number;
  /** Whether `path` still names the file looked at (it may have been renamed away since it was opened). */
  atPath(): boolean;
}

export interface FileIdentity {
  row: FileRow;
  generation: 'new' | 'continued' | 'renamed' | 'truncated' | 'replaced';
  /** The file was renamed away from `path` before it could be identified: `row` is its own (rotated) row, not the path's. */
  moved?: true;
}

export interface QuarantinedLine {
  lineNo: number;
  reason: string;
  text: string;
  bytes: number;
}

export interface BatchResult {
  predictions: number;
  labels: number;
  /** Lines whose key was stored already with the same content (a re-read). */
  duplicates: number;
  quarantined: number;
  /** Lines whose key was stored already with other content: kept in `conflicts` (store/conflicts.ts). */
  conflicts?: number;
}

export interface SchemaField {
  name: string;
  kind: 'numeric' | 'categorical';
  source: 'inferred' | 'pinned';
}

/** Another process committed this file's lines first; this batch was rolled back. */
export class ConcurrentIngestError extends Error {}

export class IngestStore {
  private readonly conflicts: ConflictLog;
  private readonly insPred: Statement;
  private readonly insLabel: Statement;
  private readonly insQuar: Statement;
  private readonly updFile: Statement;
  private readonly insField: Statement;
  private readonly fileOffset: Statement;
  private readonly commitTx: { immediate: (fileId: number, fromOffset: number, offset: number, lineNo: number, preds: readonly PredictionRow[], labels: readonly LabelRow[], bad: readonly QuarantinedLine[], path: string, fields: readonly SchemaField[]) => BatchResult };

  private readonly identifyTx: { immediate: (look: FileLook) => FileIdentity };

  constructor(private readonly db: Db) {
    this.identifyTx = db.transaction((look: FileLook): FileIdentity => {
      const now = Date.now();
      const register = (superseded = FILE_LIVE): FileRow => {
        const h = look.head();
        const info = this.db.prepare(`INSERT INTO files (path, inode, head_hash, head_len, gz, superseded, first_seen, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(look.path, look.inode, h.hash, h.len, look.gz ? 1 : 0, superseded, now, now);
        return this.fileById(Number(info.lastInsertRowid))!;
      };
      /** The newest live or rotated row of the file looked at (its inode and first bytes), if any; `otherPath` excludes the rows of that path. */
      const knownAs = (otherPath?: string): FileRow | undefined =>
        (this.db.prepare(`SELECT * FROM files WHERE inode = ? AND superseded IN (${FILE_LIVE}, ${FILE_ROTATED}) AND path <> ? ORDER BY id DESC`)
          .all(look.inode, otherPath ?? '') as FileRow[]).find((r) => look.matches(r));
      const grow = (row: FileRow): FileRow => {
        const h = look.head();
        if (row.head_len < h.len) {
          this.db.prepare('UPDATE files SET head_hash = ?, head_len = ? WHERE id = ?').run(h.hash, h.len, row.id);
          return { ...row, head_hash: h.hash, head_len: h.len };
        }
        return row;
      };
      const setState = this.db.prepare('UPDATE files SET superseded = ?, updated_at = ? WHERE id = ?');
      // Renamed away between the reader's open and this look (logrotate, while the reader drained
      // another file): the descriptor is no longer the path's file, and another ingester may already
      // have registered the path's new file. Judging the path by it would retire that generation
      // and have it registered, and read from byte 0, once more. It is identified as what it is
      // now, a rotated file: its own row if it has one, else a rotated row of its own.
      if (!look.atPath()) {
        const own = knownAs();
        return own !== undefined ? { row: own, generation: 'continued', moved: true } : { row: register(FILE_ROTATED), generation: 'new', moved: true };
      }
      const cur = this.currentFile(look.path);
      if (cur !== undefined) {
        if (cur.inode === look.inode) {
          if (look.matches(cur) && (look.gz || look.size() >= cur.offset)) return { row: grow(cur), generation: 'continued' };
          setState.run(FILE_GONE, now, cur.id);
          return { row: register(), generation: look.size() < cur.offset ? 'truncated' : 'replaced' };
        }
        setState.run(FILE_ROTATED, now, cur.id);
      }
      const cand = knownAs(look.path);
      if (cand !== undefined) {
        this.db.prepare('UPDATE files SET superseded = ? WHERE path = ? AND superseded = ? AND id <> ?').run(FILE_GONE, look.path, FILE_LIVE, cand.id);
        this.db.prepare('UPDATE files SET path = ?, superseded = ?, updated_at = ? WHERE id = ?').run(look.path, FILE_LIVE, now, cand.id);
        return { row: grow({ ...cand, path: look.path, superseded: FILE_LIVE }), generation: 'renamed' };
      }
      return { row: register(), generation: cur !== undefined ? 'replaced' : 'new' };
    });
    this.insPred = db.prepare(`INSERT OR IGNORE INTO predictions
      (request_id, model, version, ts, features, prediction, score, scores, file_id, line_no)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insLabel = db.prepare('INSERT OR IGNORE INTO labels (request_id, ts, label, file_id, line_no) VALUES (?, ?, ?, ?, ?)');
    this.insQuar = db.prepare('INSERT INTO quarantine (file_id, path, line_no, reason, text, bytes, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.updFile = db.prepare(`UPDATE files SET offset = ?, line_no = ?, predictions = predictions + ?, labels = labels + ?,
      duplicates = duplicates + ?, quarantined = quarantined + ?, conflicts = conflicts + ?, updated_at = ? WHERE id = ?`);
    this.conflicts = new ConflictLog(db);
    this.insField = db.prepare(`INSERT INTO schema_fields (name, kind, source) VALUES (?, ?, ?)
      ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, source = excluded.source
      WHERE schema_fields.source = 'inferred' OR excluded.source = 'pinned'`);
    this.fileOffset = db.prepare('SELECT offset, superseded FROM files WHERE id = ?');
    // IMMEDIATE: the offset check and the writes happen under one write lock, so
    // two ingesters on one database cannot both commit the same lines.
    this.commitTx = db.transaction((fileId: number, fromOffset: number, offset: number, lineNo: number, preds: readonly PredictionRow[], labels: readonly LabelRow[], bad: readonly QuarantinedLine[], path: string, fields: readonly SchemaField[]) => {
      const cur = this.fileOffset.get(fileId) as { offset: number; superseded: number } | undefined;
      // A rotated file is still committed to (its writer may append for a while after the rename).
      if (!cur || cur.superseded === FILE_GONE || cur.offset !== fromOffset) {
        throw new ConcurrentIngestError(`another process has committed ${path} past offset ${fromOffset}`);
      }
      for (const f of fields) this.insField.run(f.name, f.kind, f.source);
      let p = 0;
      let d = 0;
      let c = 0;
      const now = Date.now();
      const tally = new PredictionTally();
      for (const r of preds) {
        const info = this.insPred.run(r.id, r.model, r.version, r.ts, r.features, r.prediction, r.score, r.scores, fileId, r.line);
        if (info.changes === 1) { p++; tally.add(r.model, r.version, r.id); }
        else if (this.conflicts.prediction(r, fileId, now)) c++;
        else d++;
      }
      let l = 0;
      for (const r of labels) {
        const info = this.insLabel.run(r.id, r.ts, r.label, fileId, r.line);
        if (info.changes === 1) l++;
        else if (this.conflicts.label(r, fileId, now)) c++;
        else d++;
      }
      for (const q of bad) this.insQuar.run(fileId, path, q.lineNo, q.reason, q.text, q.bytes, now);
      this.updFile.run(offset, lineNo, p, l, d, bad.length, c, now, fileId);
      catchUpCounts(this.db, tally);
      return { predictions: p, labels: l, duplicates: d, quarantined: bad.length, conflicts: c };
    });
  }

  currentFile(path: string): FileRow | undefined {
    return this.db.prepare('SELECT * FROM files WHERE path = ? AND superseded = 0 ORDER BY id DESC LIMIT 1').get(path) as FileRow | undefined;
  }

  fileById(id: number): FileRow | undefined {
    return this.db.prepare('SELECT * FROM files WHERE id = ?').get(id) as FileRow | undefined;
  }

  /**
   * Decides, under the write lock, which generation the file now at `obs.path` is, and
   * records it. In one IMMEDIATE transaction, so two ingesters looking at the same file at
   * once agree (the second finds the row the first made) instead of each starting its own
   * generation and reading the file twice.
   *
   * - the live row of the path, same inode and head, not shorter than its offset: continued;
   * - same inode but shorter (copytruncate) or another head (rewritten): that row is GONE and
   *   a new generation starts;
   * - another inode: the old file was rotated away (ROTATED: still committable, drained
   *   through an open descriptor or adopted by the watched name it was renamed to);
   * - a path without a live row whose inode and head are those of a live or rotated row:
   *   that file renamed, continued from its offset (`mv c.jsonl c-1.jsonl`);
   * - else a new generation from offset 0.
   *
   * The head and size are read through `look` after the row (under the lock): a size or a
   * head taken before another ingester committed past it is not a truncation.
   */
  identifyFile(look: FileLook): FileIdentity {
    return this.identifyTx.immediate(look);
  }


  /** Starts a new generation of `path` (fixtures; readers go through identifyFile). */
  registerFile(path: string, inode: string, headHash: string, headLen: number, gz: boolean): FileRow {
    return this.db.transaction(() => {
      this.db.prepare('UPDATE files SET superseded = ? WHERE path = ? AND superseded = ?').run(FILE_GONE, path, FILE_LIVE);
      const now = Date.now();
      const info = this.db.prepare(`INSERT INTO files (path, inode, head_hash, head_len, gz, first_seen, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)`).run(path, inode, headHash, headLen, gz ? 1 : 0, now, now);
      return this.fileById(Number(info.lastInsertRowid))!;
    })();
  }

  updateHead(fileId: number, headHash: string, headLen: number): void {
    this.db.prepare('UPDATE files SET head_hash = ?, head_len = ? WHERE id = ?').run(headHash, headLen, fileId);
  }

  /**
   * Commits a batch read from `file` starting at `file.offset` (the offset the
   * reader started from) and moves the file's offset to `offset`. Throws
   * ConcurrentIngestError, committing nothing, when the stored offset is no
   * longer `file.offset`.
   */
  commitBatch(file: { id: number; path: string; offset: number }, offset: number, lineNo: number, preds: PredictionRecord[],
    labels: LabelRecord[], bad: QuarantinedLine[], newFields: SchemaField[] = []): BatchResult {
    return this.commitRows(file, offset, lineNo, preds.map(predictionRow), labels.map(labelRow), bad, newFields);
  }

  /** `commitBatch` of rows already serialized for storage (what the file ingest reads into). */
  commitRows(file: { id: number; path: string; offset: number }, offset: number, lineNo: number, preds: readonly PredictionRow[],
    labels: readonly LabelRow[], bad: readonly QuarantinedLine[], newFields: readonly SchemaField[] = []): BatchResult {
    return this.commitTx.immediate(file.id, file.offset, offset, lineNo, preds, labels, bad, file.path, newFields);
  }

  /** Event time of the newest rows (the last rows written; a scan of max(ts) would read them all). */
  newestTs(): number | null {
    return (this.db.prepare(`SELECT max(ts) FROM (SELECT ts FROM predictions ORDER BY id DESC LIMIT 10000)`).pluck().get() as number | null) ?? null;
  }

  schema(): SchemaField[] {
    return this.db.prepare('SELECT name, kind, source FROM schema_fields ORDER BY name').all() as SchemaField[];
  }

  pinSchema(fields: Record<string, 'numeric' | 'categorical'>): void {
    this.db.transaction(() => {
      for (const [name, kind] of Object.entries(fields)) this.insField.run(name, kind, 'pinned');
    })();
  }
}

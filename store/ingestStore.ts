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
import type { LabelRecord, PredictionRecord } from './records.js';

export interface FileRow {
  id: number;
  path: string;
  inode: string;
  head_hash: string;
  head_len: number;
  gz: number;
  offset: number;
  line_no: number;
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
  duplicates: number;
  quarantined: number;
}

export interface SchemaField {
  name: string;
  kind: 'numeric' | 'categorical';
  source: 'inferred' | 'pinned';
}

/** Another process committed this file's lines first; this batch was rolled back. */
export class ConcurrentIngestError extends Error {}

export class IngestStore {
  private readonly insPred: Statement;
  private readonly insLabel: Statement;
  private readonly insQuar: Statement;
  private readonly updFile: Statement;
  private readonly insField: Statement;
  private readonly fileOffset: Statement;
  private readonly commitTx: { immediate: (fileId: number, fromOffset: number, offset: number, lineNo: number, preds: PredictionRecord[], labels: LabelRecord[], bad: QuarantinedLine[], path: string, fields: SchemaField[]) => BatchResult };

  constructor(private readonly db: Db) {
    this.insPred = db.prepare(`INSERT OR IGNORE INTO predictions
      (request_id, model, version, ts, features, prediction, score, scores, file_id, line_no)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insLabel = db.prepare('INSERT OR IGNORE INTO labels (request_id, ts, label, file_id, line_no) VALUES (?, ?, ?, ?, ?)');
    this.insQuar = db.prepare('INSERT INTO quarantine (file_id, path, line_no, reason, text, bytes, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.updFile = db.prepare(`UPDATE files SET offset = ?, line_no = ?, predictions = predictions + ?, labels = labels + ?,
      duplicates = duplicates + ?, quarantined = quarantined + ?, updated_at = ? WHERE id = ?`);
    this.insField = db.prepare(`INSERT INTO schema_fields (name, kind, source) VALUES (?, ?, ?)
      ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, source = excluded.source
      WHERE schema_fields.source = 'inferred' OR excluded.source = 'pinned'`);
    this.fileOffset = db.prepare('SELECT offset, superseded FROM files WHERE id = ?');
    // IMMEDIATE: the offset check and the writes happen under one write lock, so
    // two ingesters on one database cannot both commit the same lines.
    this.commitTx = db.transaction((fileId: number, fromOffset: number, offset: number, lineNo: number, preds: PredictionRecord[], labels: LabelRecord[], bad: QuarantinedLine[], path: string, fields: SchemaField[]) => {
      const cur = this.fileOffset.get(fileId) as { offset: number; superseded: number } | undefined;
      if (!cur || cur.superseded !== 0 || cur.offset !== fromOffset) {
        throw new ConcurrentIngestError(`another process has committed ${path} past offset ${fromOffset}`);
      }
      for (const f of fields) this.insField.run(f.name, f.kind, f.source);
      let p = 0;
      let d = 0;
      for (const r of preds) {
        const info = this.insPred.run(r.id, r.model, r.version, r.ts, JSON.stringify(r.features), JSON.stringify(r.prediction),
          r.score, r.scores === null ? null : JSON.stringify(r.scores), fileId, r.line ?? 0);
        if (info.changes === 1) p++;
        else d++;
      }
      let l = 0;
      for (const r of labels) {
        const info = this.insLabel.run(r.id, r.ts, JSON.stringify(r.label), fileId, r.line ?? 0);
        if (info.changes === 1) l++;
        else d++;
      }
      const now = Date.now();
      for (const q of bad) this.insQuar.run(fileId, path, q.lineNo, q.reason, q.text, q.bytes, now);
      this.updFile.run(offset, lineNo, p, l, d, bad.length, now, fileId);
      return { predictions: p, labels: l, duplicates: d, quarantined: bad.length };
    });
  }

  currentFile(path: string): FileRow | undefined {
    return this.db.prepare('SELECT * FROM files WHERE path = ? AND superseded = 0 ORDER BY id DESC LIMIT 1').get(path) as FileRow | undefined;
  }

  /** Live files with this inode: candidates for a rename rotation. */
  filesWithInode(inode: string): FileRow[] {
    return this.db.prepare('SELECT * FROM files WHERE inode = ? AND superseded = 0 ORDER BY id DESC').all(inode) as FileRow[];
  }

  adoptPath(fileId: number, path: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE files SET superseded = 1 WHERE path = ? AND superseded = 0 AND id <> ?').run(path, fileId);
      this.db.prepare('UPDATE files SET path = ?, updated_at = ? WHERE id = ?').run(path, Date.now(), fileId);
    })();
  }

  /** Starts a new generation of `path` (first sight, truncation or replacement). */
  registerFile(path: string, inode: string, headHash: string, headLen: number, gz: boolean): FileRow {
    return this.db.transaction(() => {
      this.db.prepare('UPDATE files SET superseded = 1 WHERE path = ? AND superseded = 0').run(path);
      const now = Date.now();
      const info = this.db.prepare(`INSERT INTO files (path, inode, head_hash, head_len, gz, first_seen, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)`).run(path, inode, headHash, headLen, gz ? 1 : 0, now, now);
      return this.db.prepare('SELECT * FROM files WHERE id = ?').get(info.lastInsertRowid) as FileRow;
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

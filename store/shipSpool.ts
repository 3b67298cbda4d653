/**
 * The local file of `ship` (issue 17): the same file identity, rotation and
 * quarantine bookkeeping as `ingest` (it IS the ingest ledger: `files` rows,
 * offsets, generations), but a batch goes into an on-disk spool instead of the
 * prediction tables. The spool rows and the file's new offset are committed in
 * one transaction, so a line is always either after the offset (still to read)
 * or in the spool (still to publish) or acknowledged by JetStream (its spool row
 * deleted only after the publish ack). Nothing is in memory only.
 *
 * When the spool holds its bound, a batch is refused as if another process had
 * taken the file (the reader stops at that file's committed offset): the lines
 * wait in the log file itself, never dropped, and the shipper says so.
 */
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { ConcurrentIngestError, FILE_GONE, IngestStore, type BatchResult, type QuarantinedLine, type SchemaField } from './ingestStore.js';
import type { LabelRecord, PredictionRecord } from './records.js';

/** The spool holds its bound; the file is read again once it has drained. */
export class SpoolFullError extends ConcurrentIngestError {}

export type SpoolKind = 'p' | 'l' | 'q';

export interface SpoolRow {
  id: number;
  file_id: number;
  line_no: number;
  kind: SpoolKind;
  body: string;
}

/** What the spool turns a line into; the fleet's wire format lives with the shipper. */
export type SpoolEncoder = (fileId: number, path: string, kind: SpoolKind, record: PredictionRecord | LabelRecord | QuarantinedLine) => string;

export class ShipLedger extends IngestStore {
  /** Identifies this ledger among every shipper: file ids are only unique within one file. */
  readonly shipId: string;
  private readonly insSpool: Statement;
  private readonly peekAfterStmt: Statement;
  private readonly spoolTx: { immediate: (fileId: number, fromOffset: number, offset: number, lineNo: number, preds: PredictionRecord[], labels: LabelRecord[], bad: QuarantinedLine[], path: string) => BatchResult };
  private spooled: number;
  /** Set when a batch was refused for want of room; the shipper clears it once it has looked at the files again. */
  refused = false;

  constructor(private readonly sdb: Db, private readonly encode: SpoolEncoder, private readonly maxSpooled: number) {
    super(sdb);
    const row = sdb.prepare("SELECT value FROM meta WHERE key = 'ship_id'").get() as { value: string } | undefined;
    if (row) {
      this.shipId = row.value;
    } else {
      this.shipId = randomUUID();
      sdb.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('ship_id', ?)").run(this.shipId);
    }
    this.spooled = (sdb.prepare('SELECT count(*) AS n FROM ship_spool').get() as { n: number }).n;
    this.peekAfterStmt = sdb.prepare('SELECT id, file_id, line_no, kind, body FROM ship_spool WHERE id > ? ORDER BY id LIMIT ?');
    this.insSpool = sdb.prepare('INSERT INTO ship_spool (file_id, line_no, kind, body) VALUES (?, ?, ?, ?)');
    const fileOffset = sdb.prepare('SELECT offset, superseded FROM files WHERE id = ?');
    const updFile = sdb.prepare(`UPDATE files SET offset = ?, line_no = ?, predictions = predictions + ?, labels = labels + ?,
      quarantined = quarantined + ?, updated_at = ? WHERE id = ?`);
    this.spoolTx = sdb.transaction((fileId: number, fromOffset: number, offset: number, lineNo: number, preds: PredictionRecord[], labels: LabelRecord[], bad: QuarantinedLine[], path: string) => {
      const cur = fileOffset.get(fileId) as { offset: number; superseded: number } | undefined;
      if (!cur || cur.superseded === FILE_GONE || cur.offset !== fromOffset) {
        throw new ConcurrentIngestError(`another process has committed ${path} past offset ${fromOffset}`);
      }
      const n = preds.length + labels.length + bad.length;
      if (n > 0 && this.spooled >= this.maxSpooled) {
        this.refused = true;
        throw new SpoolFullError(`the spool holds ${this.spooled} lines (bound ${this.maxSpooled})`);
      }
      for (const r of preds) this.insSpool.run(fileId, r.line ?? 0, 'p', this.encode(fileId, path, 'p', r));
      for (const r of labels) this.insSpool.run(fileId, r.line ?? 0, 'l', this.encode(fileId, path, 'l', r));
      for (const q of bad) this.insSpool.run(fileId, q.lineNo, 'q', this.encode(fileId, path, 'q', q));
      updFile.run(offset, lineNo, preds.length, labels.length, bad.length, Date.now(), fileId);
      return { predictions: preds.length, labels: labels.length, duplicates: 0, quarantined: bad.length };
    });
  }

  /** Lines read and not yet acknowledged by the server. */
  get pending(): number {
    return this.spooled;
  }

  get bound(): number {
    return this.maxSpooled;
  }

  override commitBatch(file: { id: number; path: string; offset: number }, offset: number, lineNo: number, preds: PredictionRecord[],
    labels: LabelRecord[], bad: QuarantinedLine[], _newFields: SchemaField[] = []): BatchResult {
    const r = this.spoolTx.immediate(file.id, file.offset, offset, lineNo, preds, labels, bad, file.path);
    this.spooled += r.predictions + r.labels + r.quarantined;
    return r;
  }

  /** The oldest spooled lines, in the order they were read. */
  peek(limit: number): SpoolRow[] {
    return this.sdb.prepare('SELECT id, file_id, line_no, kind, body FROM ship_spool ORDER BY id LIMIT ?').all(limit) as SpoolRow[];
  }

  /** The spooled lines after spool id `after`, oldest first (the ones not yet handed to the publisher). */
  peekAfter(after: number, limit: number): SpoolRow[] {
    return this.peekAfterStmt.all(after, limit) as SpoolRow[];
  }

  /** Forgets lines the server acknowledged. */
  acknowledge(ids: number[]): void {
    if (ids.length === 0) return;
    const del = this.sdb.prepare('DELETE FROM ship_spool WHERE id = ?');
    this.sdb.transaction(() => { for (const id of ids) del.run(id); })();
    this.spooled = Math.max(0, this.spooled - ids.length);
  }
}

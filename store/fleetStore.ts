/**
 * Writes of `ingest --from nats://…` (issue 17): lines shipped by the serving
 * hosts, committed in ONE transaction per fetched batch; the consumer
 * acknowledges the messages only after it returns. A message delivered again
 * (the ingest died between commit and ack, or a standby took over) is absorbed
 * here: predictions by (request_id, model, version), labels by request_id,
 * quarantined lines by their origin (the message id), all INSERT OR IGNORE.
 *
 * Each shipped file gets one `files` row (host, path, the shipper's identity of
 * the file), so per-file and per-host counts read like those of local files.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { ConflictLog } from './conflicts.js';
import { catchUpCounts, PredictionTally } from './counters.js';
import type { BatchResult, QuarantinedLine, SchemaField } from './ingestStore.js';
import { labelRow, predictionRow, type LabelRecord, type PredictionRecord } from './records.js';

/** Where a shipped line came from: the host, the shipper's ledger, its file and line. */
export interface LineOrigin {
  /** The message id: unique per line over every shipper. */
  id: string;
  host: string;
  ship: string;
  fileId: number;
  path: string;
}

export type RemoteLine =
  | { kind: 'prediction'; origin: LineOrigin; record: PredictionRecord }
  | { kind: 'label'; origin: LineOrigin; record: LabelRecord }
  | { kind: 'quarantined'; origin: LineOrigin; line: QuarantinedLine };

export interface HostCounts {
  host: string | null;
  predictions: number;
  labels: number;
  quarantined: number;
  lastTs: number | null;
}

export class FleetStore {
  private readonly conflicts: ConflictLog;
  private readonly insPred: Statement;
  private readonly insLabel: Statement;
  private readonly insQuar: Statement;
  private readonly insField: Statement;
  private readonly findFile: Statement;
  private readonly insFile: Statement;
  private readonly updFile: Statement;
  private readonly fileIds = new Map<string, number>();
  private readonly tx: { immediate: (lines: RemoteLine[], fields: SchemaField[]) => { result: BatchResult; files: Map<string, number> } };

  constructor(private readonly db: Db) {
    this.insPred = db.prepare(`INSERT OR IGNORE INTO predictions
      (request_id, model, version, ts, features, prediction, score, scores, file_id, line_no, host)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insLabel = db.prepare('INSERT OR IGNORE INTO labels (request_id, ts, label, file_id, line_no, host) VALUES (?, ?, ?, ?, ?, ?)');
    this.insQuar = db.prepare('INSERT OR IGNORE INTO quarantine (file_id, path, line_no, reason, text, bytes, at, host, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.insField = db.prepare(`INSERT INTO schema_fields (name, kind, source) VALUES (?, ?, ?)
      ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, source = excluded.source
      WHERE schema_fields.source = 'inferred' OR excluded.source = 'pinned'`);
    this.findFile = db.prepare('SELECT id FROM files WHERE inode = ? ORDER BY id DESC LIMIT 1');
    this.insFile = db.prepare(`INSERT INTO files (path, inode, head_hash, head_len, gz, first_seen, updated_at, host)
      VALUES (?, ?, '', 0, 0, ?, ?, ?)`);
    this.updFile = db.prepare(`UPDATE files SET line_no = max(line_no, ?), predictions = predictions + ?, labels = labels + ?,
      duplicates = duplicates + ?, quarantined = quarantined + ?, conflicts = conflicts + ?, updated_at = ? WHERE id = ?`);
    this.conflicts = new ConflictLog(db);
    this.tx = db.transaction((lines: RemoteLine[], fields: SchemaField[]) => {
      for (const f of fields) this.insField.run(f.name, f.kind, f.source);
      const now = Date.now();
      const files = new Map<string, number>();
      const perFile = new Map<number, BatchResult & { line: number }>();
      const total: BatchResult = { predictions: 0, labels: 0, duplicates: 0, quarantined: 0 };
      const tally = new PredictionTally();
      for (const l of lines) {
        const o = l.origin;
        const key = `fleet:${o.ship}:${o.fileId}`;
        let fileId = this.fileIds.get(key) ?? files.get(key);
        if (fileId === undefined) {
          const row = this.findFile.get(key) as { id: number } | undefined;
          fileId = row?.id ?? Number(this.insFile.run(`${o.host}:${o.path}`, key, now, now, o.host).lastInsertRowid);
          files.set(key, fileId);
        }
        let c = perFile.get(fileId);
        if (!c) perFile.set(fileId, c = { predictions: 0, labels: 0, duplicates: 0, quarantined: 0, conflicts: 0, line: 0 });
        if (l.kind === 'prediction') {
          const r = predictionRow(l.record);
          const info = this.insPred.run(r.id, r.model, r.version, r.ts, r.features, r.prediction, r.score, r.scores, fileId, r.line, o.host);
          if (info.changes === 1) { c.predictions++; tally.add(r.model, r.version, r.id); }
          else if (this.conflicts.prediction(r, fileId, now)) c.conflicts!++;
          else c.duplicates++;
          c.line = Math.max(c.line, r.line);
        } else if (l.kind === 'label') {
          const r = labelRow(l.record);
          const info = this.insLabel.run(r.id, r.ts, r.label, fileId, r.line, o.host);
          if (info.changes === 1) c.labels++;
          else if (this.conflicts.label(r, fileId, now)) c.conflicts!++;
          else c.duplicates++;
          c.line = Math.max(c.line, r.line);
        } else {
          const q = l.line;
          const info = this.insQuar.run(fileId, `${o.host}:${o.path}`, q.lineNo, q.reason, q.text, q.bytes, now, o.host, o.id);
          // A redelivered quarantined line is neither new nor a duplicate prediction: not counted.
          if (info.changes === 1) c.quarantined++;
          c.line = Math.max(c.line, q.lineNo);
        }
      }
      for (const [id, c] of perFile) {
        this.updFile.run(c.line, c.predictions, c.labels, c.duplicates, c.quarantined, c.conflicts, now, id);
        total.predictions += c.predictions;
        total.labels += c.labels;
        total.duplicates += c.duplicates;
        total.quarantined += c.quarantined;
      }
      catchUpCounts(this.db, tally);
      return { result: total, files };
    });
  }

  /**
   * Commits shipped lines in one transaction. The counts say what was new:
   * a redelivered prediction or label counts as a duplicate, a redelivered
   * quarantined line not at all.
   */
  commit(lines: RemoteLine[], newFields: SchemaField[] = []): BatchResult {
    const { result, files } = this.tx.immediate(lines, newFields);
    // Learned only once committed: a rolled-back transaction's file rows do not exist.
    for (const [k, v] of files) this.fileIds.set(k, v);
    return result;
  }

  schema(): SchemaField[] {
    return this.db.prepare('SELECT name, kind, source FROM schema_fields ORDER BY name').all() as SchemaField[];
  }

  /** Rows per host (NULL: read from local files by `ingest`), for status and the per-host views. */
  hostCounts(): HostCounts[] {
    return hostCounts(this.db);
  }

  /** Models with predictions, most rows first. */
  models(): string[] {
    return modelsWithPredictions(this.db);
  }

  /** The most recent `perHost` predictions of `model` on each host: its features as stored (JSON). */
  recentFeaturesByHost(model: string, perHost: number): Array<{ host: string | null; features: string }> {
    return recentFeaturesByHost(this.db, model, perHost);
  }
}

/** Rows per host (NULL: read from local files by `ingest`): read-only, for `hosts` and the console. */
export function hostCounts(db: Db): HostCounts[] {
  const preds = db.prepare('SELECT host, count(*) AS n, max(ts) AS last FROM predictions GROUP BY host').all() as Array<{ host: string | null; n: number; last: number | null }>;
  const labels = db.prepare('SELECT host, count(*) AS n FROM labels GROUP BY host').all() as Array<{ host: string | null; n: number }>;
  const quar = db.prepare('SELECT host, count(*) AS n FROM quarantine GROUP BY host').all() as Array<{ host: string | null; n: number }>;
  const out = new Map<string | null, HostCounts>();
  const get = (h: string | null): HostCounts => {
    let c = out.get(h);
    if (!c) out.set(h, c = { host: h, predictions: 0, labels: 0, quarantined: 0, lastTs: null });
    return c;
  };
  for (const p of preds) { const c = get(p.host); c.predictions = p.n; c.lastTs = p.last; }
  for (const l of labels) get(l.host).labels = l.n;
  for (const q of quar) get(q.host).quarantined = q.n;
  return [...out.values()].sort((a, b) => (a.host ?? '').localeCompare(b.host ?? ''));
}

/** Models with predictions, most rows first. */
export function modelsWithPredictions(db: Db): string[] {
  return (db.prepare('SELECT model, count(*) AS n FROM predictions GROUP BY model ORDER BY n DESC, model').all() as Array<{ model: string }>).map((r) => r.model);
}

/**
 * The most recent `perHost` predictions of `model` on each host: its features as stored (JSON).
 * `afterId`: only rows stored after it (the console bounds the cost on a large store).
 */
export function recentFeaturesByHost(db: Db, model: string, perHost: number, afterId = 0): Array<{ host: string | null; features: string }> {
  return db.prepare(`SELECT host, features FROM (
      SELECT host, features, row_number() OVER (PARTITION BY host ORDER BY ts DESC, id DESC) AS k FROM predictions WHERE model = ? AND id > ?
    ) WHERE k <= ?`).all(model, afterId, perHost) as Array<{ host: string | null; features: string }>;
}

/**
 * Lines stored per host from the per-file counters (NULL: local files): a read of the small
 * `files` table, cheap enough for the console's every few seconds (hostCounts scans the rows).
 * The counters count what was stored; retention deleting old rows does not lower them.
 */
export function hostLineCounts(db: Db): Array<{ host: string | null; predictions: number; labels: number; quarantined: number; updatedAt: number | null }> {
  return db.prepare(`SELECT host, sum(predictions) AS predictions, sum(labels) AS labels, sum(quarantined) AS quarantined, max(updated_at) AS updatedAt
    FROM files GROUP BY host ORDER BY coalesce(host, '')`).all() as Array<{ host: string | null; predictions: number; labels: number; quarantined: number; updatedAt: number | null }>;
}

/**
 * Conflicting duplicates. The unique keys (request_id, model, version) for predictions and
 * request_id for labels make a re-read idempotent, and the first row stays the one analytics
 * use. A second line with the same key and DIFFERENT content (another prediction for the same
 * request and model version, a corrected label) is not a re-read: it is kept here beside the
 * stored version, so an operator can see it and decide, instead of it vanishing into a
 * duplicate counter. The same content again (a re-read, a redelivery) is no conflict.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import type { LabelRow, PredictionRow } from './records.js';

export interface ConflictCount {
  kind: 'prediction' | 'label';
  /** name@version for predictions; null for labels (a label belongs to a request). */
  model: string | null;
  version: number | null;
  count: number;
}

export interface ConflictRow {
  id: number;
  kind: 'prediction' | 'label';
  requestId: string;
  model: string | null;
  version: number | null;
  /** The stored version and the conflicting one, as JSON objects of the compared fields. */
  kept: string;
  other: string;
  path: string | null;
  line: number;
  at: number;
}

interface StoredPrediction { ts: number; features: string; prediction: string; score: number | null; scores: string | null; file_id: number; line_no: number }
interface StoredLabel { ts: number; label: string; file_id: number; line_no: number }

export class ConflictLog {
  private readonly getPred: Statement;
  private readonly getLabel: Statement;
  private readonly ins: Statement;

  constructor(db: Db) {
    this.getPred = db.prepare('SELECT ts, features, prediction, score, scores, file_id, line_no FROM predictions WHERE request_id = ? AND model = ? AND version = ?');
    this.getLabel = db.prepare('SELECT ts, label, file_id, line_no FROM labels WHERE request_id = ?');
    this.ins = db.prepare(`INSERT INTO conflicts (kind, request_id, model, version, kept, other, file_id, line_no, at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /**
   * After an INSERT OR IGNORE of a prediction changed nothing: records a conflict when the
   * stored prediction differs in prediction, score or features (the time alone may differ
   * on a re-log). Returns whether it was a conflict. Runs inside the caller's transaction.
   */
  prediction(r: PredictionRow, fileId: number, now: number): boolean {
    const s = this.getPred.get(r.id, r.model, r.version) as StoredPrediction | undefined;
    if (s === undefined) return false;
    if (s.prediction === r.prediction && s.score === r.score && s.scores === r.scores && s.features === r.features) return false;
    const kept = `{"ts":${s.ts},"prediction":${s.prediction},"score":${s.score === null ? 'null' : s.score},"scores":${s.scores ?? 'null'},"features":${s.features},"file_id":${s.file_id},"line":${s.line_no}}`;
    const other = `{"ts":${r.ts},"prediction":${r.prediction},"score":${r.score === null ? 'null' : r.score},"scores":${r.scores ?? 'null'},"features":${r.features},"file_id":${fileId},"line":${r.line}}`;
    this.ins.run('prediction', r.id, r.model, r.version, kept, other, fileId, r.line, now);
    return true;
  }

  /** The same for a label: a different label value for a request already labelled. */
  label(r: LabelRow, fileId: number, now: number): boolean {
    const s = this.getLabel.get(r.id) as StoredLabel | undefined;
    if (s === undefined) return false;
    if (s.label === r.label) return false;
    this.ins.run('label', r.id, null, null, `{"ts":${s.ts},"label":${s.label},"file_id":${s.file_id},"line":${s.line_no}}`,
      `{"ts":${r.ts},"label":${r.label},"file_id":${fileId},"line":${r.line}}`, fileId, r.line, now);
    return true;
  }
}

/** Conflicts per model version (predictions) and for labels. */
export function conflictCounts(db: Db): ConflictCount[] {
  // A read-only look at a database not yet migrated by a newer ingest has no such table.
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'conflicts'").get() === undefined) return [];
  return db.prepare(`SELECT kind, model, version, count(*) AS count FROM conflicts
    GROUP BY kind, model, version ORDER BY kind DESC, model, version`).all() as ConflictCount[];
}

export function recentConflicts(db: Db, limit = 50): ConflictRow[] {
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'conflicts'").get() === undefined) return [];
  return db.prepare(`SELECT c.id, c.kind, c.request_id AS requestId, c.model, c.version, c.kept, c.other, f.path, c.line_no AS line, c.at
    FROM conflicts c LEFT JOIN files f ON f.id = c.file_id ORDER BY c.id DESC LIMIT ?`).all(limit) as ConflictRow[];
}

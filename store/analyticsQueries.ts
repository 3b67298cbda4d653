/**
 * Reads for the analytics engine. The engine follows the predictions and
 * labels tables with rowid cursors, so the same code serves a restart (cursor
 * at 0, or at a bounded look-back) and live ingest. A prediction and its label
 * are paired exactly once, when the later of the two is processed: predictions
 * are joined with labels up to the label cursor already processed, labels
 * with predictions up to the prediction cursor already processed.
 */
import type { Db } from './db.js';

export interface PredictionFact {
  id: number;
  requestId: string;
  model: string;
  version: number;
  ts: number;
  features: string;
  prediction: string;
  score: number | null;
  scores: string | null;
  label: string | null;
  labelTs: number | null;
}

export interface LabelFact {
  labelId: number;
  requestId: string;
  label: string;
  labelTs: number;
  model: string;
  version: number;
  ts: number;
  prediction: string;
  score: number | null;
  scores: string | null;
}

export class AnalyticsReader {
  private readonly preds;
  private readonly labels;
  private readonly maxPred;
  private readonly maxLabel;
  private readonly firstTs;

  /**
   * `only`: read the predictions of one serving host (and the labels of its requests) —
   * the console's per-host filter; `host: null` is the rows read from local files.
   * Absent: every row.
   */
  constructor(db: Db, private readonly only?: { host: string | null }) {
    const hostCond = only ? ' AND p.host IS @host' : '';
    this.preds = db.prepare(`SELECT p.id, p.request_id AS requestId, p.model, p.version, p.ts, p.features, p.prediction, p.score, p.scores,
        l.label, l.ts AS labelTs
      FROM predictions p LEFT JOIN labels l ON l.request_id = p.request_id AND l.id <= @cursor
      WHERE p.id > @after AND p.id <= @upto${hostCond} ORDER BY p.id`);
    this.labels = db.prepare(`SELECT l.id AS labelId, l.request_id AS requestId, l.label, l.ts AS labelTs,
        p.model, p.version, p.ts, p.prediction, p.score, p.scores
      FROM labels l JOIN predictions p ON p.request_id = l.request_id AND p.id <= @cursor
      WHERE l.id > @after AND l.id <= @upto${hostCond} ORDER BY l.id`);
    this.maxPred = db.prepare('SELECT coalesce(max(id), 0) FROM predictions').pluck();
    this.maxLabel = db.prepare('SELECT coalesce(max(id), 0) FROM labels').pluck();
    this.firstTs = db.prepare('SELECT ts FROM predictions WHERE id > ? ORDER BY id LIMIT 1').pluck();
  }

  /** Event time of the first prediction after `cursor` (null when there is none). */
  tsAfter(cursor: number): number | null {
    return (this.firstTs.get(cursor) as number | undefined) ?? null;
  }

  maxIds(): { predictions: number; labels: number } {
    return { predictions: this.maxPred.get() as number, labels: this.maxLabel.get() as number };
  }

  predictionsBetween(afterId: number, upToId: number, labelCursor: number): PredictionFact[] {
    return this.preds.all(this.params(labelCursor, afterId, upToId)) as PredictionFact[];
  }

  labelsBetween(afterId: number, upToId: number, predictionCursor: number): LabelFact[] {
    return this.labels.all(this.params(predictionCursor, afterId, upToId)) as LabelFact[];
  }

  private params(cursor: number, after: number, upto: number): Record<string, number | string | null> {
    return this.only ? { cursor, after, upto, host: this.only.host } : { cursor, after, upto };
  }
}

export interface DriftWindowRow {
  model: string;
  windowStart: number;
  windowEnd: number;
  rows: number;
  datasetDrifted: boolean;
  share: number;
  results: string;
}

export function saveDriftWindow(db: Db, w: DriftWindowRow): void {
  db.prepare(`INSERT INTO drift_windows (model, window_start, window_end, rows, dataset_drifted, share, results)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(model, window_start) DO UPDATE SET window_end = excluded.window_end,
    rows = excluded.rows, dataset_drifted = excluded.dataset_drifted, share = excluded.share, results = excluded.results`)
    .run(w.model, w.windowStart, w.windowEnd, w.rows, w.datasetDrifted ? 1 : 0, w.share, w.results);
}

export function driftWindows(db: Db, model: string, limit = 60): DriftWindowRow[] {
  const rows = db.prepare(`SELECT model, window_start AS windowStart, window_end AS windowEnd, rows, dataset_drifted AS d, share, results
    FROM drift_windows WHERE model = ? ORDER BY window_start DESC LIMIT ?`).all(model, limit) as Array<Omit<DriftWindowRow, 'datasetDrifted'> & { d: number }>;
  return rows.reverse().map(({ d, ...r }) => ({ ...r, datasetDrifted: d === 1 }));
}

export interface AlertInput {
  eventTime: number | null;
  kind: string;
  detector: string | null;
  subject: string;
  level: string;
  message: string;
}

export interface StoredAlert extends AlertInput {
  id: number;
  at: number;
}

export function openAlert(db: Db, a: AlertInput): number {
  return Number(db.prepare('INSERT INTO alerts (at, event_time, kind, detector, subject, level, message) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(Date.now(), a.eventTime, a.kind, a.detector, a.subject, a.level, a.message).lastInsertRowid);
}

/**
 * The `alerts` table is the log of detector firings (one row per firing and day); what opens,
 * resolves and is acknowledged is the episode (store/alertEpisodes), so nothing closes a row here.
 */
export function openAlerts(db: Db, limit = 100): StoredAlert[] {
  return db.prepare(`SELECT id, at, event_time AS eventTime, kind, detector, subject, level, message FROM alerts
    WHERE closed_at IS NULL ORDER BY id DESC LIMIT ?`).all(limit) as StoredAlert[];
}


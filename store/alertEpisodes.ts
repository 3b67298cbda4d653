/**
 * Alert episodes and their notification outbox (migration 5). SQL only: the lifecycle rules
 * live in src/alerts/. Times are ms since the epoch; windows are indices of the drift window.
 */
import type { Db } from './db.js';

export type AlertSeverity = 'page' | 'info';
export type AlertState = 'open' | 'acknowledged' | 'resolved';

export interface EpisodeRow {
  id: number;
  kind: string;
  subject: string;
  severity: AlertSeverity;
  state: AlertState;
  message: string;
  openedAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  firstWindow: number;
  lastWindow: number;
  heldWindows: number;
  updates: number;
  resolution: string | null;
}

const COLUMNS = `id, kind, subject, severity, state, message, opened_at AS openedAt, updated_at AS updatedAt, resolved_at AS resolvedAt,
  acknowledged_at AS acknowledgedAt, acknowledged_by AS acknowledgedBy, first_window AS firstWindow, last_window AS lastWindow,
  held_windows AS heldWindows, updates, resolution`;

export function liveEpisodes(db: Db): EpisodeRow[] {
  return db.prepare(`SELECT ${COLUMNS} FROM alert_episodes WHERE state != 'resolved' ORDER BY id`).all() as EpisodeRow[];
}

export function listEpisodes(db: Db, opts: { all: boolean; limit: number }): EpisodeRow[] {
  return db.prepare(`SELECT ${COLUMNS} FROM alert_episodes ${opts.all ? '' : "WHERE state != 'resolved'"} ORDER BY id DESC LIMIT ?`)
    .all(opts.limit) as EpisodeRow[];
}

export function episodeById(db: Db, id: number): EpisodeRow | null {
  return (db.prepare(`SELECT ${COLUMNS} FROM alert_episodes WHERE id = ?`).get(id) as EpisodeRow | undefined) ?? null;
}

export function insertEpisode(db: Db, e: Omit<EpisodeRow, 'id' | 'resolvedAt' | 'acknowledgedAt' | 'acknowledgedBy' | 'updates' | 'resolution'>): number {
  return Number(db.prepare(`INSERT INTO alert_episodes (kind, subject, severity, state, message, opened_at, updated_at, first_window, last_window, held_windows)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(e.kind, e.subject, e.severity, e.state, e.message, e.openedAt, e.updatedAt, e.firstWindow, e.lastWindow, e.heldWindows).lastInsertRowid);
}

export function updateEpisode(db: Db, id: number, u: { severity: AlertSeverity; message: string; updatedAt: number; lastWindow: number; heldWindows: number }): void {
  db.prepare(`UPDATE alert_episodes SET severity = ?, message = ?, updated_at = ?, last_window = ?, held_windows = ?, updates = updates + 1 WHERE id = ?`)
    .run(u.severity, u.message, u.updatedAt, u.lastWindow, u.heldWindows, id);
}

export function resolveEpisode(db: Db, id: number, at: number, resolution: string): void {
  db.prepare(`UPDATE alert_episodes SET state = 'resolved', resolved_at = ?, updated_at = ?, resolution = ? WHERE id = ? AND state != 'resolved'`).run(at, at, resolution, id);
}

/** Returns false when there is no such live episode. */
export function acknowledgeEpisode(db: Db, id: number, at: number, by: string): boolean {
  return db.prepare(`UPDATE alert_episodes SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, updated_at = ? WHERE id = ? AND state = 'open'`)
    .run(at, by, at, id).changes === 1;
}

export function countOpenPages(db: Db): number {
  return db.prepare(`SELECT count(*) FROM alert_episodes WHERE severity = 'page' AND state = 'open'`).pluck().get() as number;
}

export type NotificationTarget = 'command' | 'webhook';
export type NotificationStatus = 'pending' | 'sent' | 'dead';

export interface NotificationRow {
  id: number;
  episodeId: number;
  event: 'open' | 'resolve';
  target: NotificationTarget;
  payload: string;
  status: NotificationStatus;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  createdAt: number;
  doneAt: number | null;
}

const NCOLUMNS = `id, episode_id AS episodeId, event, target, payload, status, attempts, next_at AS nextAt, last_error AS lastError, created_at AS createdAt, done_at AS doneAt`;

export function enqueueNotification(db: Db, n: { episodeId: number; event: 'open' | 'resolve'; target: NotificationTarget; payload: string; at: number }): void {
  db.prepare(`INSERT INTO alert_notifications (episode_id, event, target, payload, status, next_at, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)`)
    .run(n.episodeId, n.event, n.target, n.payload, n.at, n.at);
}

export function dueNotifications(db: Db, now: number, limit: number, exclude: readonly number[]): NotificationRow[] {
  const rows = db.prepare(`SELECT ${NCOLUMNS} FROM alert_notifications WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?`)
    .all(now, limit + exclude.length) as NotificationRow[];
  return rows.filter((r) => !exclude.includes(r.id)).slice(0, limit);
}

export function markNotification(db: Db, id: number, u: { status: NotificationStatus; attempts: number; nextAt: number; lastError: string | null; doneAt: number | null }): void {
  db.prepare(`UPDATE alert_notifications SET status = ?, attempts = ?, next_at = ?, last_error = ?, done_at = ? WHERE id = ?`)
    .run(u.status, u.attempts, u.nextAt, u.lastError, u.doneAt, id);
}

export function notificationsByStatus(db: Db, status: NotificationStatus, limit: number): NotificationRow[] {
  return db.prepare(`SELECT ${NCOLUMNS} FROM alert_notifications WHERE status = ? ORDER BY id DESC LIMIT ?`).all(status, limit) as NotificationRow[];
}

export function notificationCounts(db: Db): Record<NotificationStatus, number> {
  const out: Record<NotificationStatus, number> = { pending: 0, sent: 0, dead: 0 };
  for (const r of db.prepare('SELECT status, count(*) AS n FROM alert_notifications GROUP BY status').all() as Array<{ status: NotificationStatus; n: number }>) out[r.status] = r.n;
  return out;
}

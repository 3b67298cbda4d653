/**
 * Alerts with a lifecycle: an episode per (kind, subject) opens once, is updated while its
 * condition holds, resolves by itself once the condition has been clear for
 * `resolveAfterWindows` settled windows, and can be acknowledged. Conditions are dated by the
 * event time of the traffic they judged and counted in windows of the drift window (a day).
 *
 * A window is *settled* one window after it closed: labels arrive after their predictions (two
 * hours in the demo), so a concept-drift condition for a window can still appear while the next
 * one fills. Resolving only on settled windows keeps a late label from reopening an episode that
 * was resolved a moment before.
 *
 * Severity (issue 12): `page` for what needs a person — dataset drift, a feature drifting for
 * `featureWindows` consecutive windows, the calibration CUSUM and estimated performance below
 * its threshold on the active model, a failed retrain, a gate result; `info` for the rest —
 * River's detectors on a ramping error stream, single-window feature blips, label drift, shadow
 * models. Page episodes notify when they open (or escalate from info) and when they resolve.
 */
import { isoTime } from '../core/time.js';
import type { Db } from '../../store/db.js';
import {
  acknowledgeEpisode, enqueueNotification, episodeById, insertEpisode, liveEpisodes, resolveEpisode, updateEpisode,
  type AlertSeverity, type EpisodeRow, type NotificationTarget,
} from '../../store/alertEpisodes.js';
import { appendAudit, type AuditInput } from '../../store/audit.js';

/** The episodes that say the inputs moved away from the reference (a dataset, or a feature held). */
const DATA_DRIFT_EPISODES: ReadonlySet<string> = new Set(['dataset-drift', 'feature-drift']);

/** A live data-drift page says the inputs moved (what choose.requireDrift waits for). */
export function isDataDriftPage(e: Pick<EpisodeRow, 'kind' | 'severity'>): boolean {
  return e.severity === 'page' && DATA_DRIFT_EPISODES.has(e.kind);
}

export type { AlertSeverity, AlertState, EpisodeRow } from '../../store/alertEpisodes.js';

/** How a kind's severity is decided: fixed, or info until the condition held for N windows. */
export type SeverityRule = AlertSeverity | 'sustained';

export interface AlertSettings {
  windowMs: number;
  /** Settled windows without the condition before an episode resolves. */
  resolveAfterWindows: number;
  /** Consecutive windows a 'sustained' condition (a feature's drift) holds before it pages. */
  featureWindows: number;
  /** Notification targets configured (each page open/resolve is queued once per target). */
  targets: NotificationTarget[];
}

/** The event a notification target receives (as JSON). */
export interface AlertEvent {
  event: 'open' | 'resolve';
  id: number;
  kind: string;
  subject: string;
  severity: AlertSeverity;
  state: string;
  message: string;
  openedAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

const iso = (t: number | null): string | null => (t === null ? null : isoTime(t));

export function alertEvent(e: EpisodeRow, event: 'open' | 'resolve'): AlertEvent {
  return {
    event, id: e.id, kind: e.kind, subject: e.subject, severity: e.severity, state: e.state, message: e.message,
    openedAt: iso(e.openedAt)!, updatedAt: iso(e.updatedAt)!, resolvedAt: iso(e.resolvedAt), resolution: e.resolution,
  };
}

export class AlertBook {
  private readonly live = new Map<string, EpisodeRow>();
  /** Highest window known to be closed (from event time). */
  private closed = -Infinity;

  constructor(private readonly db: Db, private readonly settings: AlertSettings, private readonly now: () => number = Date.now) {
    for (const e of liveEpisodes(db)) this.live.set(key(e.kind, e.subject), e);
  }

  /** The condition (kind, subject) holds in the window of `eventTime`. */
  raise(kind: string, subject: string, rule: SeverityRule, message: string, eventTime: number): void {
    const w = Math.floor(eventTime / this.settings.windowMs);
    const k = key(kind, subject);
    const at = this.now();
    const e = this.live.get(k);
    if (!e) {
      const severity = rule === 'sustained' ? (this.settings.featureWindows <= 1 ? 'page' : 'info') : rule;
      const row: Omit<EpisodeRow, 'id' | 'resolvedAt' | 'acknowledgedAt' | 'acknowledgedBy' | 'updates' | 'resolution'> = {
        kind, subject, severity, state: 'open', message, openedAt: at, updatedAt: at, firstWindow: w, lastWindow: w, heldWindows: 1,
      };
      const id = insertEpisode(this.db, row);
      const created = episodeById(this.db, id)!;
      this.live.set(k, created);
      if (severity === 'page') this.notify(created, 'open');
      return;
    }
    if (w < e.lastWindow) return; // an older window of an episode already past it
    const held = w === e.lastWindow ? e.heldWindows : w === e.lastWindow + 1 ? e.heldWindows + 1 : 1;
    const escalate = e.severity === 'info' && (rule === 'page' || (rule === 'sustained' && held >= this.settings.featureWindows));
    const severity: AlertSeverity = escalate ? 'page' : e.severity;
    updateEpisode(this.db, e.id, { severity, message, updatedAt: at, lastWindow: w, heldWindows: held });
    Object.assign(e, { severity, message, updatedAt: at, lastWindow: w, heldWindows: held, updates: e.updates + 1 });
    if (escalate) this.notify(e, 'open');
  }

  /** Event time has reached `eventTime`: windows before its window are closed; settled ones may resolve episodes. */
  advance(eventTime: number): void {
    const w = Math.floor(eventTime / this.settings.windowMs) - 1;
    if (w <= this.closed) return;
    this.closed = w;
    const settled = w - 1;
    for (const [k, e] of this.live) {
      if (settled - e.lastWindow < this.settings.resolveAfterWindows) continue;
      const at = this.now();
      const resolution = `clear for ${settled - e.lastWindow} windows`;
      resolveEpisode(this.db, e.id, at, resolution);
      this.live.delete(k);
      Object.assign(e, { state: 'resolved', resolvedAt: at, updatedAt: at, resolution });
      if (e.severity === 'page') this.notify(e, 'resolve');
    }
  }

  /** Ends a live episode for a reason other than time (a retrain that succeeded after one failed). */
  resolve(kind: string, subject: string, resolution: string): void {
    const k = key(kind, subject);
    const e = this.live.get(k);
    if (!e) return;
    const at = this.now();
    resolveEpisode(this.db, e.id, at, resolution);
    this.live.delete(k);
    Object.assign(e, { state: 'resolved', resolvedAt: at, updatedAt: at, resolution });
    if (e.severity === 'page') this.notify(e, 'resolve');
  }

  /**
   * Whether a data-drift page is live (open or acknowledged), from the book itself: every episode
   * is opened, escalated and resolved through it, so it answers without reading the table.
   */
  inputsDrifted(): boolean {
    for (const e of this.live.values()) if (isDataDriftPage(e)) return true;
    return false;
  }

  /** Acknowledges an open episode (the `a` key, `mlops-tui alerts ack ID`); audited. */
  acknowledge(id: number, who: AuditInput): { ok: boolean; message: string } {
    return acknowledgeAlert(this.db, id, who, this.live, this.now());
  }

  private notify(e: EpisodeRow, event: 'open' | 'resolve'): void {
    const payload = JSON.stringify(alertEvent(e, event));
    for (const target of this.settings.targets) enqueueNotification(this.db, { episodeId: e.id, event, target, payload, at: this.now() });
  }
}

/**
 * The one way an alert is acknowledged (console and CLI). `live` is the engine's cache of
 * live episodes, updated when given.
 */
export function acknowledgeAlert(db: Db, id: number, who: AuditInput, live: Map<string, EpisodeRow> | null = null, at = Date.now()): { ok: boolean; message: string } {
  const e = episodeById(db, id);
  if (!e) return { ok: false, message: `no alert ${id}` };
  if (e.state === 'resolved') return { ok: false, message: `alert ${id} is already resolved` };
  if (e.state === 'acknowledged') return { ok: false, message: `alert ${id} was already acknowledged by ${e.acknowledgedBy ?? 'someone'}` };
  if (!acknowledgeEpisode(db, id, at, who.operator)) return { ok: false, message: `alert ${id} could not be acknowledged` };
  const cached = live?.get(key(e.kind, e.subject));
  if (cached) Object.assign(cached, { state: 'acknowledged', acknowledgedAt: at, acknowledgedBy: who.operator, updatedAt: at });
  appendAudit(db, { ...who, action: 'alert-ack', subject: `${e.kind} ${e.subject}`, before: 'open', after: 'acknowledged', details: `alert ${id}: ${e.message}` });
  return { ok: true, message: `alert ${id} (${e.kind} ${e.subject}) acknowledged` };
}

function key(kind: string, subject: string): string {
  return `${kind}\u0000${subject}`;
}

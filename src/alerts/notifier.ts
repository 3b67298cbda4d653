/**
 * Delivers page alert events from the outbox (store/alertEpisodes.ts) to a command (the event
 * as JSON on stdin) and/or an HTTP webhook (POST, JSON body). Never in the way of ingest or the
 * console: deliveries are asynchronous, each bounded by `timeoutMs`, at most `concurrency` at
 * once, at most `perMinute` started per minute (the rest wait in the outbox, nothing is
 * dropped); a failure is retried with exponential backoff (backoffMs · 2^(attempt − 1)) and
 * becomes a dead letter after `retries` retries, shown in the console and `mlops-tui alerts`.
 * The outbox is in SQLite, so a restart resumes where delivery stopped (a delivery cut by a
 * crash is sent again: at least once).
 */
import type { Db } from '../../store/db.js';
import { dueNotifications, markNotification, type NotificationRow } from '../../store/alertEpisodes.js';
import { runHook } from '../registry/hook.js';

export interface NotifySettings {
  command: string | null;
  webhook: string | null;
  /** Retries after the first attempt before the dead letter. */
  retries: number;
  backoffMs: number;
  timeoutMs: number;
  perMinute: number;
  /** How often the outbox is polled. */
  pollMs?: number;
  concurrency?: number;
}

export interface DeliveryOutcome {
  ok: boolean;
  error: string | null;
}

export async function deliver(row: Pick<NotificationRow, 'target' | 'payload'>, s: NotifySettings): Promise<DeliveryOutcome> {
  if (row.target === 'command') {
    if (!s.command) return { ok: false, error: 'no alerts.notify.command configured' };
    const r = await runHook(s.command, JSON.parse(row.payload) as object, s.timeoutMs, 'alert command');
    return { ok: r.ok, error: r.ok ? null : r.message };
  }
  if (!s.webhook) return { ok: false, error: 'no alerts.notify.webhook configured' };
  try {
    const res = await fetch(s.webhook, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: row.payload, signal: AbortSignal.timeout(s.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, error: null } : { ok: false, error: `webhook answered ${res.status} ${res.statusText}` };
  } catch (err) {
    const e = err as Error;
    return { ok: false, error: e.name === 'TimeoutError' ? `webhook timed out after ${s.timeoutMs} ms` : `webhook failed: ${e.message}` };
  }
}

export class Notifier {
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<number>();
  private readonly started: number[] = [];
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly db: Db, private readonly s: NotifySettings, private readonly now: () => number = Date.now) {}

  start(): void {
    if (!this.s.command && !this.s.webhook) return;
    this.timer = setInterval(() => this.tick(), this.s.pollMs ?? 500);
    this.timer.unref();
    this.tick();
  }

  /** Stops polling and waits (at most timeoutMs) for deliveries under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.race([Promise.all(this.pending), new Promise((r) => setTimeout(r, this.s.timeoutMs).unref())]);
  }

  /** Starts the deliveries that are due, within the concurrency and rate limits. */
  tick(): void {
    if (this.stopped) return;
    const now = this.now();
    while (this.started.length > 0 && now - this.started[0] >= 60_000) this.started.shift();
    const room = Math.min((this.s.concurrency ?? 4) - this.inFlight.size, this.s.perMinute - this.started.length);
    if (room <= 0) return;
    let due: NotificationRow[];
    try {
      due = dueNotifications(this.db, now, room, [...this.inFlight]);
    } catch {
      return; // the database is closing
    }
    for (const row of due) {
      this.inFlight.add(row.id);
      this.started.push(now);
      const p = deliver(row, this.s).then((out) => this.settle(row, out));
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    }
  }

  private settle(row: NotificationRow, out: DeliveryOutcome): void {
    this.inFlight.delete(row.id);
    const attempts = row.attempts + 1;
    const now = this.now();
    try {
      if (out.ok) markNotification(this.db, row.id, { status: 'sent', attempts, nextAt: row.nextAt, lastError: null, doneAt: now });
      else if (attempts > this.s.retries) markNotification(this.db, row.id, { status: 'dead', attempts, nextAt: row.nextAt, lastError: out.error, doneAt: now });
      else markNotification(this.db, row.id, { status: 'pending', attempts, nextAt: now + this.s.backoffMs * 2 ** (attempts - 1), lastError: out.error, doneAt: null });
    } catch {
      // The database closed under a late delivery: the row stays pending and is sent again.
    }
  }
}

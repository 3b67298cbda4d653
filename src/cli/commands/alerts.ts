import type { Command } from 'commander';
import { isoTime } from '../../core/time.js';
import { existsSync } from 'node:fs';
import { resolveConfig, UsageError, type GlobalOptions } from '../context.js';

interface AlertsOptions extends GlobalOptions {
  json?: boolean;
  all?: boolean;
  limit: string;
}

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts')
    .description('Alert episodes: open and acknowledged ones (--all adds resolved), with severity (page | info) and state; `alerts ack ID` acknowledges')
    .option('--json', 'print JSON: id, kind, subject, severity, state, openedAt, updatedAt, resolvedAt, acknowledgedAt, acknowledgedBy, message')
    .option('--all', 'include resolved episodes')
    .option('--limit <n>', 'episodes to show, newest first', '100')
    .addHelpText('after', `
An episode per (kind, subject) opens once, is updated while its condition holds and resolves by
itself after alerts.resolveAfterWindows windows without it. page: dataset drift, a feature drifting
for alerts.featureWindows windows, the calibration CUSUM or an estimate below its threshold on the
active model, a failed retrain. info: River's detectors, single-window blips, label drift, shadows.
Notifications that failed their last retry (dead letters) are listed after the episodes.

Examples:
  mlops-tui alerts
  mlops-tui alerts --all --json | jq '[.alerts[] | select(.severity == "page")] | length'
  mlops-tui alerts ack 12`)
    .action(async (_o: AlertsOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<AlertsOptions>();
      const limit = Number(opts.limit);
      if (!(Number.isInteger(limit) && limit > 0)) throw new UsageError('--limit must be a positive integer');
      const cfg = resolveConfig(opts);
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: nothing has been analysed yet, or pass --db`);
      const [{ openDb }, { listEpisodes, notificationsByStatus, notificationCounts }] = await Promise.all([
        import('../../../store/db.js'), import('../../../store/alertEpisodes.js'),
      ]);
      const db = openDb(cfg.db, { readonly: true });
      try {
        const rows = listEpisodes(db, { all: opts.all === true, limit });
        const dead = notificationsByStatus(db, 'dead', 50);
        const iso = (t: number | null): string | null => (t === null ? null : isoTime(t));
        if (opts.json) {
          const out = {
            alerts: rows.map((e) => ({
              id: e.id, kind: e.kind, subject: e.subject, severity: e.severity, state: e.state,
              openedAt: iso(e.openedAt), updatedAt: iso(e.updatedAt), resolvedAt: iso(e.resolvedAt),
              acknowledgedAt: iso(e.acknowledgedAt), acknowledgedBy: e.acknowledgedBy, message: e.message,
              updates: e.updates, resolution: e.resolution,
            })),
            notifications: notificationCounts(db),
            deadLetters: dead.map((n) => ({ alertId: n.episodeId, event: n.event, target: n.target, attempts: n.attempts, at: iso(n.doneAt), error: n.lastError })),
          };
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
          return;
        }
        if (rows.length === 0) process.stdout.write(opts.all ? 'no alerts yet\n' : 'no open alerts\n');
        // eslint-disable-next-line no-control-regex
        const clean = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
        for (const e of rows) {
          const when = (iso(e.openedAt) ?? '').replace('T', ' ').slice(0, 19);
          const state = e.state === 'acknowledged' ? `acknowledged by ${e.acknowledgedBy ?? '?'}` : e.state === 'resolved' ? `resolved (${e.resolution ?? ''})` : 'open';
          process.stdout.write(`${String(e.id).padStart(5)}  ${when}  ${e.severity.padEnd(4)}  ${state.padEnd(12)}  ${clean(e.kind)} ${clean(e.subject)}: ${clean(e.message)}\n`);
        }
        for (const n of dead) {
          process.stdout.write(`dead letter: alert ${n.episodeId} ${n.event} via ${n.target} gave up after ${n.attempts} attempts: ${clean(n.lastError ?? '')}\n`);
        }
      } finally {
        db.close();
      }
    });
  alerts.command('ack')
    .description('Acknowledge an open alert (someone is on it): it stays until it resolves, no longer counted in the header; audited')
    .argument('<id>', 'the alert id (first column of `mlops-tui alerts`)')
    .addHelpText('after', `
Example:
  mlops-tui alerts ack 12`)
    .action(async (id: string, _o: GlobalOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const n = Number(id);
      if (!Number.isInteger(n) || n <= 0) throw new UsageError(`"${id}" is not an alert id (a positive whole number)`);
      const cfg = resolveConfig(opts);
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: pass --db`);
      const [{ openDb }, { currentOperator }, { acknowledgeAlert }] = await Promise.all([
        import('../../../store/db.js'), import('../../../store/audit.js'), import('../../alerts/episodes.js'),
      ]);
      const db = openDb(cfg.db);
      try {
        const r = acknowledgeAlert(db, n, currentOperator());
        if (!r.ok) throw new UsageError(r.message);
        process.stdout.write(`${r.message}\n`);
      } finally {
        db.close();
      }
    });
}

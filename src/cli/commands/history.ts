import { formatSecond, isoTime } from '../../core/time.js';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import type { AuditRow } from '../../../store/audit.js';
import { auditSummary } from '../../registry/auditSummary.js';
import { resolveConfig, UsageError, withOps, type GlobalOptions } from '../context.js';

interface HistoryOptions extends GlobalOptions {
  json?: boolean;
  limit: string;
}

function parseDetails(d: string | null): unknown {
  if (d === null) return null;
  try { return JSON.parse(d) as unknown; } catch { return d; }
}

export function registerHistory(program: Command): void {
  program.command('history')
    .description('The audit trail, newest first: registrations, promotions, forced promotions and rollbacks, with who, when and the gate figures')
    .option('--json', 'print JSON (details parsed)')
    .option('--limit <n>', 'rows to show', '50')
    .addHelpText('after', `
Examples:
  mlops-tui history --limit 10
  mlops-tui history --json | jq '.[] | select(.action == "force-promote")'`)
    .action(async (_o: HistoryOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<HistoryOptions>();
      const limit = Number(opts.limit);
      if (!(Number.isInteger(limit) && limit > 0)) throw new UsageError('--limit must be a positive integer');
      const cfg = resolveConfig(opts);
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: nothing has happened yet, or pass --db`);
      const { history } = await import('../../ops/status.js');
      const rows: AuditRow[] = await withOps(cfg, { readonly: true }, (ctx) => history(ctx, limit));
      if (opts.json) {
        const out = rows.map((r) => ({ ...r, time: isoTime(r.at), details: parseDetails(r.details) }));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('the audit trail is empty\n');
        return;
      }
      const lines = rows.map((r) => {
        const who = `${r.operator}${r.client ? `@${r.client}` : ''}`;
        const change = r.before !== null || r.after !== null ? `${r.before ?? '—'} → ${r.after ?? '—'}` : '';
        const gate = auditSummary(r.action, r.details);
        return [formatSecond(r.at), who.padEnd(12), r.action.padEnd(13), (r.subject ?? '').padEnd(20), change, gate].filter(Boolean).join('  ');
      });
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

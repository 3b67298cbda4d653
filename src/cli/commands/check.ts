import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolveConfig, type GlobalOptions } from '../context.js';

interface CheckOptions extends GlobalOptions {
  quick?: boolean;
  json?: boolean;
}

export function registerCheck(program: Command): void {
  program.command('check')
    .description('Check the database: SQLite integrity, schema version, rows without their file, offsets beyond file ends, row counters against full counts, raw values of redacted features, free space')
    .option('--quick', 'quick_check instead of the full integrity_check (skips index consistency; much faster on a large file)')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', `
Exit status: 0 when nothing failed (warnings allowed), 1 when a check failed or the file
cannot be opened (not SQLite, empty, from a newer mlops-tui).

Examples:
  mlops-tui check
  mlops-tui check --db /var/backups/mlops-2026-11-30.db --json | jq .ok`)
    .action(async (_o: CheckOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<CheckOptions>();
      const cfg = resolveConfig(opts);
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: nothing to check (pass --db)`);
      const { openDb } = await import('../../../store/db.js');
      const { checkDb } = await import('../../../store/maintenance.js');
      const { sanitize } = await import('../../util/sanitize.js');
      const db = openDb(cfg.db, { readonly: true });
      try {
        const report = checkDb(db, { quick: opts.quick, redact: cfg.redact, rawDays: cfg.retention.rawDays });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ db: cfg.db, ...report }, null, 2)}\n`);
        } else {
          const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
          const lines = [`database   ${cfg.db}`];
          for (const i of report.items) {
            lines.push(`${mark[i.level]}  ${i.name.padEnd(10)} ${i.message}`);
            // paths come from the filesystem: strip control bytes before the terminal sees them
            for (const d of i.details) lines.push(`                 ${sanitize(d)}`);
          }
          lines.push(report.ok ? 'check passed' : 'check FAILED');
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        if (!report.ok) process.exitCode = 1;
      } finally {
        db.close();
      }
    });
}

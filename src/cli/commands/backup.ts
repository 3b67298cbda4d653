import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveConfig, UsageError, type GlobalOptions } from '../context.js';

interface BackupOptions extends GlobalOptions {
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function registerBackup(program: Command): void {
  program.command('backup')
    .description('Copy the database to FILE with SQLite\'s online backup API, safely while ingest or the console runs')
    .argument('<file>', 'where to write the copy (one self-contained SQLite file, mode 0600)')
    .option('--force', 'overwrite FILE if it exists')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'print nothing but errors')
    .addHelpText('after', `
The copy holds every row committed before the backup began. It does not contain the
redaction key (redact.key), which stays beside the live database: keep it safe separately.

Examples:
  mlops-tui backup /var/backups/mlops-$(date +%F).db
  mlops-tui backup ./snapshot.db --force && mlops-tui check --db ./snapshot.db`)
    .action(async (file: string, _o: BackupOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<BackupOptions>();
      const cfg = resolveConfig(opts);
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: nothing to back up (pass --db)`);
      if (resolve(file) === resolve(cfg.db)) throw new UsageError(`backup ${file} is the database itself; choose another file`);
      if (existsSync(file) && !opts.force) throw new UsageError(`backup ${file} exists; pass --force to overwrite it`);
      const { openDb } = await import('../../../store/db.js');
      const { backupDb } = await import('../../../store/maintenance.js');
      const db = openDb(cfg.db, { readonly: true });
      const tty = process.stderr.isTTY && !opts.quiet && !opts.json;
      try {
        const r = await backupDb(db, file, (p) => {
          if (tty) process.stderr.write(`\rbacking up ${cfg.db}: ${Math.round(100 * (1 - p.remainingPages / Math.max(1, p.totalPages)))}%`);
        });
        if (tty) process.stderr.write('\n');
        if (opts.json) process.stdout.write(`${JSON.stringify({ db: cfg.db, ...r }, null, 2)}\n`);
        else if (!opts.quiet) process.stdout.write(`backed up ${cfg.db} to ${r.path}: ${(r.bytes / 1048576).toFixed(1)} MB, ${r.pages} pages${r.restarts ? ` (restarted ${r.restarts}× by concurrent writes)` : ''}\n`);
      } catch (err) {
        throw new Error(`backup to ${file} failed: ${(err as Error).message}`);
      } finally {
        db.close();
      }
    });
}

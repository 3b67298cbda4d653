import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolveConfig, withOps, type GlobalOptions } from '../context.js';
import { formatSecond } from '../../core/time.js';

interface StatusOptions extends GlobalOptions {
  json?: boolean;
}

export function registerStatus(program: Command): void {
  program.command('status')
    .description('Counts of predictions, labels and quarantined lines, per model and per file, and the feature schema')
    .option('--json', 'print JSON for scripts and alerting')
    .addHelpText('after', '\nExample:\n  mlops-tui status --json | jq .counts')
    .action(async (_o: StatusOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<StatusOptions>();
      const cfg = resolveConfig(opts);
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: run \`mlops-tui ingest\` first or pass --db`);
      // Loaded here, not at the top: `--help` and every other command must not pay for them (issue 14).
      const { status: statusOf } = await import('../../ops/status.js');
      // Text only: sanitize measures widths with string-width, whose Intl.Segmenter costs a
      // command about 20 ms at load; --json needs none of it.
      const sanitize = opts.json ? null : (await import('../../util/sanitize.js')).sanitize;
      await withOps(cfg, { readonly: true }, (ctx) => {
        const status = statusOf(ctx);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
          return;
        }
        const c = status.counts;
        const lines = [
          `database   ${status.db}`,
          ...status.ingest.map((h) => `ingest     pid ${h.pid}, since ${formatSecond(h.since)}: ${h.problem}`),
          `active     ${status.active ?? 'none'}${status.registry.length > 1 ? ` (${status.registry.filter((m) => m.alias === 'shadow').length} shadow)` : ''}`,
          `rows       ${c.predictions} predictions for ${c.requests} requests, ${c.labels} labels, ${c.quarantined} quarantined`,
          '',
          'models',
          ...status.models.map((m) => `  ${m.model}@${m.version}  ${m.predictions} predictions, ${m.labelled} labelled`),
          '',
          'files',
          ...status.files.filter((f) => f.current).map((f) => `  ${f.path}  ${f.lines} lines, offset ${f.offset}, ${f.quarantined} quarantined`),
          '',
          'schema',
          ...status.schema.map((s) => `  ${s.name}: ${s.kind} (${s.source})`),
        ];
        if (status.quarantine.length > 0) lines.push('', 'quarantine', ...status.quarantine.map((q) => `  ${q.count}  ${q.reason}`));
        if (status.conflicts.length > 0) {
          lines.push('', 'conflicts (the first version is used; both are kept in the conflicts table)', ...status.conflicts.map((k) => (k.kind === 'label'
            ? `  labels  ${k.count} corrected (a different label for a labelled request)`
            : `  ${k.model}@${k.version}  ${k.count} predictions differ from the stored one for the same request`)));
        }
        // Model names, paths, feature names and reasons came from logs: no escape sequence reaches the terminal.
        process.stdout.write(`${lines.map((l) => sanitize!(l)).join('\n')}\n`);
      });
    });
}

import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolveConfig, type GlobalOptions } from '../context.js';
import { sanitize } from '../../util/sanitize.js';
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
      const [{ openDb }, { listModels, refOf }, { fileStatuses, quarantineReasons, schemaFields, storeCounts, trafficByModel }] = await Promise.all([
        import('../../../store/db.js'), import('../../../store/registry.js'), import('../../../store/statusQueries.js'),
      ]);
      const db = openDb(cfg.db, { readonly: true });
      try {
        const registry = listModels(db);
        const active = registry.find((m) => m.alias === 'active');
        const status = {
          db: cfg.db,
          active: active ? refOf(active) : null,
          registry: registry.map((m) => ({ model: refOf(m), alias: m.alias, type: m.type, task: m.task, createdAt: m.createdAt })),
          counts: storeCounts(db),
          models: trafficByModel(db),
          files: fileStatuses(db),
          quarantine: quarantineReasons(db),
          schema: schemaFields(db),
          // Keys logged twice with different content, per model version (labels apart); both versions are in the table.
          conflicts: (await import('../../../store/conflicts.js')).conflictCounts(db),
          // Problems of the ingesters running now (a commit being retried), from beside the database.
          ingest: (await import('../../ingest/ingestHealth.js')).readIngestHealth(cfg.db),
        };
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
        process.stdout.write(`${lines.map((l) => sanitize(l)).join('\n')}\n`);
      } finally {
        db.close();
      }
    });
}

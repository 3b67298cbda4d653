import type { Command } from 'commander';
import { isoTime } from '../../core/time.js';
import { existsSync } from 'node:fs';
import { resolveConfig, UsageError, type GlobalOptions } from '../context.js';

interface HostsOptions extends GlobalOptions {
  json?: boolean;
  model?: string;
  rows: string;
}

export function registerHosts(program: Command): void {
  program.command('hosts')
    .description('The fleet per host: predictions, labels and quarantined lines from each serving host, and which replica\'s inputs differ from the others')
    .option('--json', 'print JSON for scripts and alerting')
    .option('--model <name>', 'only this model (default: every model)')
    .option('--rows <n>', 'most recent predictions per host compared', '20000')
    .addHelpText('after', '\nExamples:\n  mlops-tui hosts --db /var/lib/mlops/mlops.db\n  mlops-tui hosts --model flights-mlp --json | jq \'.drift[] | select(.drifted)\'')
    .action(async (_o: HostsOptions, cmd: Command) => {
      // Loaded here, not at the top: it measures widths with string-width, whose Intl.Segmenter costs --help about 20 ms.
      const { sanitize } = await import('../../util/sanitize.js');
      const opts = cmd.optsWithGlobals<HostsOptions>();
      const cfg = resolveConfig(opts);
      const perHost = Number(opts.rows);
      if (!Number.isSafeInteger(perHost) || perHost < 1) throw new UsageError(`--rows must be a positive integer, got "${opts.rows}"`);
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: run \`mlops-tui ingest --from nats://…\` first or pass --db`);
      const [{ openDb }, { hostsReport }, { OpsInputError }] = await Promise.all([
        import('../../../store/db.js'), import('../../ops/hosts.js'), import('../../ops/context.js'),
      ]);
      const db = openDb(cfg.db, { readonly: true });
      try {
        let report: import('../../ops/hosts.js').HostsReport;
        try {
          report = hostsReport(db, { model: opts.model, rows: perHost });
        } catch (e) {
          if (e instanceof OpsInputError) throw new UsageError(`${e.message} in ${cfg.db}`);
          throw e;
        }
        const drift = report.drift;
        const hosts = report.hosts.map((h) => ({ ...h, lastTs: h.lastTs === null ? null : isoTime(h.lastTs) }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ db: cfg.db, hosts, drift }, null, 2)}\n`);
          return;
        }
        const out: string[] = [];
        out.push(`${'host'.padEnd(24)} ${'predictions'.padStart(11)} ${'labels'.padStart(9)} ${'quarantined'.padStart(11)}  newest line`);
        for (const h of hosts) {
          out.push(`${sanitize(h.host).slice(0, 24).padEnd(24)} ${String(h.predictions).padStart(11)} ${String(h.labels).padStart(9)} ${String(h.quarantined).padStart(11)}  ${h.lastTs ?? '-'}`);
        }
        if (drift.length === 0) {
          out.push('', 'drift per host: needs at least two hosts with 50 predictions of a model');
        } else {
          out.push('', `drift per host (each host's most recent ${perHost} predictions against each other host; a feature counts when it drifts against most of them):`);
          for (const d of drift) {
            const bad = d.features.filter((f) => f.level !== 'ok').map((f) => `${f.feature} ${f.level} (${f.method} ${f.statistic.toFixed(3)})`);
            out.push(`  ${sanitize(d.model)}  ${sanitize(d.host).padEnd(24)} ${d.drifted ? 'DIFFERS' : 'like the others'}${bad.length > 0 ? `: ${bad.join(', ')}` : ''}`);
          }
        }
        process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        db.close();
      }
    });
}

import type { Command } from 'commander';
import { isoTime, requireTime } from '../../core/time.js';
import { existsSync } from 'node:fs';
import { resolveConfig, UsageError, withOps, type GlobalOptions } from '../context.js';

interface ReferenceSetOptions extends GlobalOptions {
  from: string;
  until: string;
  json?: boolean;
}

/** ISO 8601 or epoch milliseconds; the flag is named in the error. */
function timeArg(flag: string, raw: string): number {
  return requireTime(raw, `--${flag}`, (m) => new UsageError(m));
}

export function registerReference(program: Command): void {
  const reference = program.command('reference')
    .description('The reference period a model\'s label-free (CBPE) estimate is calibrated on')
    .addHelpText('after', `
Models trained here carry a reference (their held-out rows from training). A model that only
appears in the logs has none, so it has no estimate until you pin a period whose labels are in:

  mlops-tui reference set flights-mlp@2 --from 2001-02-01 --until 2001-02-08`);
  reference.command('set')
    .description('Pin a labelled period of a model version\'s own traffic as its CBPE reference (calibrator, sampling error, alert thresholds); audited')
    .argument('<model>', 'NAME@VERSION')
    .requiredOption('--from <time>', 'start of the period (request time, ISO 8601 or epoch ms), inclusive')
    .requiredOption('--until <time>', 'end of the period, exclusive')
    .option('--json', 'print the fitted reference as JSON')
    .addHelpText('after', `
The period should be one the model served well and that looks like what it will see (whole days:
a part of a day is one time of day). At least 500 labelled predictions are needed.

Examples:
  mlops-tui reference set flights-mlp@2 --from 2001-02-01 --until 2001-02-08
  mlops-tui reference set flights-mlp@2 --from 981158400000 --until 981763200000 --json`)
    .action(async (model: string, _o: ReferenceSetOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ReferenceSetOptions>();
      const from = timeArg('from', opts.from);
      const until = timeArg('until', opts.until);
      if (!(until > from)) throw new UsageError('--until must be after --from');
      const cfg = resolveConfig(opts);
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: run \`mlops-tui ingest\` first or pass --db`);
      const { pinReference } = await import('../../ops/reference.js');
      // The console's Models screen (r) pins through the same ops function.
      const r = await withOps(cfg, {}, (ctx) => pinReference(ctx, model, from, until).reference);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ model, source: r.source, rows: r.rows, from: r.from, until: r.until, accuracy: r.accuracy, threshold: r.threshold, chunkSize: r.chunkSize }, null, 2)}\n`);
        return;
      }
      const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
      process.stdout.write(`${model}: CBPE reference pinned, ${r.rows} labelled rows from ${isoTime(from)} until ${isoTime(until)}; realised accuracy ${pct(r.accuracy)}, alert below ${pct(r.threshold.lower)}\n`);
    });
}

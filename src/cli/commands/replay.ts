import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { isoTime, parseDuration, requireTime } from '../../core/time.js';
import { resolveConfig, untilSignal, UsageError, type GlobalOptions } from '../context.js';

interface ReplayCliOptions extends GlobalOptions {
  data: string;
  label: string;
  time: string;
  out?: string;
  rate: string;
  labelDelay: string;
  from?: string;
  until?: string;
  incident?: string;
  quiet?: boolean;
  control?: string;
}

function timeOption(name: string, v: string | undefined): number | undefined {
  return v === undefined ? undefined : requireTime(v, name, (m) => new UsageError(m));
}

export function registerReplay(program: Command): void {
  program.command('replay')
    .description('Stand in for a serving system: score a labelled CSV with the active and shadow models and write prediction logs, labels after a delay')
    .requiredOption('--data <file>', 'labelled data, .csv or .csv.gz')
    .requiredOption('--label <col>', 'label column')
    .option('--time <col>', 'time column', 'ts')
    .option('--out <dir>', 'directory to write the JSONL logs to (default: the watched directory)')
    .option('--rate <n>', 'rows per second (0 = as fast as possible)', '500')
    .option('--label-delay <duration>', 'labels arrive this long after the prediction, in event time (e.g. 2h)', '2h')
    .option('--from <time>', 'only rows with time >= this')
    .option('--until <time>', 'only rows with time < this')
    .option('--incident <spec>', 'simulate an upstream incident, e.g. "hour+6h@2001-03-01" (a time-zone bug); off by default')
    .option('--quiet', 'no progress output')
    .option('--control <file>', 'a control file to poll for pause and rate (the demo console writes it); the replay writes its clock to <file>.status.json')
    .addHelpText('after', `
Example:
  mlops-tui replay --data sample-data/flights-2001q1.csv.gz --label delayed --time ts \\
    --from 2001-02-01 --out ./predictions --rate 1000 --label-delay 2h`)
    .action(async (_o: ReplayCliOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ReplayCliOptions>();
      const cfg = resolveConfig(opts);
      const rate = Number(opts.rate);
      if (!(rate >= 0)) throw new UsageError('--rate must be a number >= 0');
      let labelDelayMs: number;
      try { labelDelayMs = parseDuration(opts.labelDelay); } catch (e) { throw new UsageError((e as Error).message); }
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: train a model first (mlops-tui train)`);
      const [{ openDb }, { runReplay }, { parseIncident }] = await Promise.all([
        import('../../../store/db.js'), import('../../replay/replay.js'), import('../../replay/incident.js'),
      ]);
      const db = openDb(cfg.db);
      const controller = new AbortController();
      void untilSignal().then(() => controller.abort());
      let last = 0;
      try {
        const p = await runReplay(db, {
          data: opts.data, label: opts.label, time: opts.time, out: opts.out ?? cfg.watch, rate, labelDelayMs,
          from: timeOption('--from', opts.from), until: timeOption('--until', opts.until),
          incident: opts.incident ? parseIncident(opts.incident) : null,
          signal: controller.signal,
          control: opts.control,
          onProgress: (pr) => {
            if (opts.quiet || Date.now() - last < 2000) return;
            last = Date.now();
            process.stderr.write(`replay: ${pr.rows} rows, ${pr.predictions} predictions, ${pr.labels} labels, at ${isoTime(pr.eventTime)}, serving ${pr.serving.join(' ')}\n`);
          },
        });
        if (!opts.quiet) process.stderr.write(`replay done: ${p.rows} rows, ${p.predictions} predictions, ${p.labels} labels\n`);
      } finally {
        db.close();
      }
      process.exit(0);
    });
}

/**
 * `mlops-tui retrain`: headless retraining. Without --wait the job is only queued (pid NULL,
 * so any runner may take it: a running console picks it up within a second); with --wait this
 * process runs it to the end, printing progress, and exits 0 only when a version was
 * registered. Ctrl-C during --wait cancels the job (nothing is registered).
 */
import { isoTime } from '../../core/time.js';
import type { Command } from 'commander';
import type { OpsContext } from '../../ops/context.js';
import type { JobInfo, RetrainRequest } from '../../retrain/jobRunner.js';
import { resolveConfig, untilSignal, UsageError, withOps, type GlobalOptions } from '../context.js';

interface RetrainOptions extends GlobalOptions {
  model?: string;
  rows?: string;
  since?: string;
  until?: string;
  type?: string;
  epochs?: string;
  wait?: boolean;
  json?: boolean;
  list?: boolean;
  cancel?: string;
  violations?: string;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n > 0)) throw new UsageError(`${flag} must be a positive integer, not "${value}"`);
  return n;
}

function metricsLine(job: JobInfo): string {
  const m = job.metrics;
  if (!m) return '';
  const where = m.gateHeldOut ? 'held-out' : 'latest';
  const v = m.violations;
  const cleaned = v ? `; ${v.flagged} flagged rows ${v.mode === 'exclude' ? 'left out' : 'repaired'}: accuracy ${(m.accuracy - v.kept.accuracy >= 0 ? '+' : '')}${(m.accuracy - v.kept.accuracy).toFixed(4)}, log loss ${(m.logLoss - v.kept.logLoss >= 0 ? '+' : '')}${(m.logLoss - v.kept.logLoss).toFixed(4)} against keeping them` : '';
  return `${where} accuracy ${m.accuracy.toFixed(4)}, log loss ${m.logLoss.toFixed(4)}${m.auc === undefined ? '' : `, AUC ${m.auc.toFixed(4)}`} on ${m.rows} ${where} rows; trained on ${m.trainedRows} rows of ${m.source}${m.from ? ` from ${m.from} to ${m.until}` : ''}${cleaned}`;
}

function jobLine(j: JobInfo): string {
  const progress = j.status === 'running' && j.epochs > 0 ? ` epoch ${j.epoch}/${j.epochs}` : '';
  const outcome = j.result ?? j.error ?? '';
  return `#${j.id}  ${j.status.padEnd(11)} ${j.model} (${j.type})${progress}  ${isoTime(j.createdAt)}  ${outcome}`;
}

export function registerRetrain(program: Command): void {
  program.command('retrain')
    .description('Retrain a model on its recent labelled predictions and register the result as a shadow version (queued for the console, or run here with --wait)')
    .option('--model <name>', 'registry name to retrain (default: the active model)')
    .option('--rows <n>', 'the last N labelled predictions (default: retrain.rows in the config)')
    .option('--since <time>', 'only predictions at or after this time (ISO 8601); instead of --rows')
    .option('--until <time>', 'only predictions before this time (ISO 8601)')
    .option('--type <logreg|mlp>', 'model family (default: that of the model being retrained)')
    .option('--epochs <n>', 'maximum epochs (early stopping may end sooner)')
    .option('--violations <mode>', 'rows flagged by the quality rules: keep (default), exclude, or repair (flagged values replaced by draws from the training data); exclude|repair also trains with them kept and reports the difference on the held-out rows')
    .option('--wait', 'run the job in this process until it ends, printing progress')
    .option('--json', 'print the job as JSON')
    .option('--list', 'list the recent jobs instead')
    .option('--cancel <id>', 'cancel a queued or running job instead')
    .addHelpText('after', `
The gate's held-out requests (gate.heldOutShare) are never trained on; the new version's
metrics are measured on those of the training span. Promote it with \`mlops-tui promote\`.
Exit codes with --wait: 0 registered, 1 failed or cancelled, 2 bad usage.

Examples:
  mlops-tui retrain --wait
  mlops-tui retrain --model flights-logreg --since 2001-03-01 --until 2001-03-08 --wait
  mlops-tui retrain --rows 20000 --type mlp        # queued; the console runs it
  mlops-tui retrain --since 2001-03-01 --violations exclude --wait
  mlops-tui retrain --list`)
    .action(async (_o: RetrainOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<RetrainOptions>();
      if (opts.rows !== undefined && opts.since !== undefined) throw new UsageError('--rows and --since choose the rows in two ways: pass one of them');
      const rows = positiveInt(opts.rows, '--rows');
      const epochs = positiveInt(opts.epochs, '--epochs');
      if (opts.type !== undefined && opts.type !== 'logreg' && opts.type !== 'mlp') throw new UsageError(`--type must be logreg or mlp, not "${opts.type}"`);
      if (opts.violations !== undefined && !['keep', 'exclude', 'repair'].includes(opts.violations)) throw new UsageError(`--violations must be keep, exclude or repair, not "${opts.violations}"`);
      const cfg = resolveConfig(opts);
      const { cancelRetrain, listRetrains, startRetrain } = await import('../../ops/retrain.js');
      await withOps(cfg, {}, async (ctx) => {
        if (opts.list) {
          const jobs = listRetrains(ctx, 50);
          if (opts.json) process.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
          else process.stdout.write(jobs.length ? `${jobs.map(jobLine).join('\n')}\n` : 'no retrain jobs yet\n');
          return;
        }
        if (opts.cancel !== undefined) {
          const id = positiveInt(opts.cancel, '--cancel')!;
          const before = cancelRetrain(ctx, id);
          if (before === null) throw new UsageError(`no job #${id}`);
          if (before === 'queued') process.stdout.write(`job #${id} cancelled\n`);
          else if (before === 'running') process.stdout.write(`job #${id}: cancel requested; the process running it stops within a second\n`);
          else process.stdout.write(`job #${id} had already ended (${before})\n`);
          return;
        }
        const req: RetrainRequest = {
          model: opts.model, rows, since: opts.since, until: opts.until, epochs,
          type: opts.type as RetrainRequest['type'], trigger: 'cli', violations: opts.violations as RetrainRequest['violations'],
        };
        if (!opts.wait) {
          const id = startRetrain(ctx, req);
          const job = listRetrains(ctx, 50).find((j) => j.id === id)!;
          if (opts.json) process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
          else process.stdout.write(`queued job #${id}: retrain ${job.model} (${job.type}); a running console picks it up, or run it here with --wait\n`);
          return;
        }
        await runHere(ctx, req, opts.json === true);
      });
    });
}

async function runHere(ctx: OpsContext, req: RetrainRequest, json: boolean): Promise<void> {
  const [{ JobRunner }, { progressPrinter }, { startRetrain }] = await Promise.all([import('../../retrain/jobRunner.js'), import('../progress.js'), import('../../ops/retrain.js')]);
  const runner = new JobRunner({ db: ctx.db, config: ctx.cfg, operator: ctx.operator });
  const id = startRetrain(ctx, req, runner);
  const job0 = runner.get(id)!;
  process.stderr.write(`job #${id}: retraining ${job0.model} (${job0.type})\n`);
  const print = progressPrinter(process.stderr, `job #${id} `);
  runner.subscribe((e) => { if (e.kind === 'progress' && e.id === id) print(e.progress); });
  let signalled = false;
  void untilSignal().then(() => {
    signalled = true;
    runner.cancel(id);
  });
  const job = await runner.wait(id);
  await runner.close();
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (json) process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
  if (job.status === 'done') {
    if (!json) {
      process.stdout.write(`registered ${job.result} as shadow (job #${id}): ${metricsLine(job)}\n`);
      process.stdout.write(`next: let it score traffic as a shadow, then \`mlops-tui compare\` and \`mlops-tui promote ${job.result}\`\n`);
    }
    return;
  }
  const why = job.status === 'cancelled' ? `cancelled${signalled ? ' by a signal' : ''}; nothing was registered` : job.status === 'failed' ? `failed: ${job.error}` : job.status;
  throw new Error(`job #${id} ${why}`);
}

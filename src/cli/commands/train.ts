import type { Command } from 'commander';
import { basename } from 'node:path';
import type { ModelType } from '../../models/train.js';
import { resolveConfig, untilSignal, UsageError, type GlobalOptions } from '../context.js';

interface TrainOptions extends GlobalOptions {
  data: string;
  label: string;
  time?: string;
  features?: string;
  type: string;
  name?: string;
  from?: string;
  until?: string;
  epochs?: string;
  json?: boolean;
}

export function registerTrain(program: Command): void {
  program.command('train')
    .description('Train a model on a CSV with tfjs and register it (the first model becomes active, later ones shadow)')
    .requiredOption('--data <file>', 'training data, .csv or .csv.gz with a header row')
    .requiredOption('--label <col>', 'label column (binary or multiclass)')
    .option('--time <col>', 'time column: rows are ordered by it and the held-out split is the latest rows')
    .option('--features <a,b,...>', 'feature columns (default: every column but the label and time)')
    .option('--type <logreg|mlp>', 'model family', 'logreg')
    .option('--name <name>', 'registry name (default: <data file>-<type>)')
    .option('--from <time>', 'only rows with time >= this (ISO 8601)')
    .option('--until <time>', 'only rows with time < this (ISO 8601)')
    .option('--epochs <n>', 'maximum epochs (early stopping may end sooner)')
    .option('--json', 'print the registered model and its metrics as JSON')
    .addHelpText('after', `
Examples:
  mlops-tui train --data sample-data/flights-2001q1.csv.gz --label delayed --time ts \\
    --features hour,dow,distance,origin,destination --until 2001-02-01 --name flights-logreg
  mlops-tui train --data iris.csv --label species --type mlp`)
    .action(async (_o: TrainOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<TrainOptions>();
      if (opts.type !== 'logreg' && opts.type !== 'mlp') throw new UsageError(`--type must be logreg or mlp, not "${opts.type}"`);
      const epochs = opts.epochs === undefined ? undefined : Number(opts.epochs);
      if (epochs !== undefined && !(Number.isInteger(epochs) && epochs > 0)) throw new UsageError('--epochs must be a positive integer');
      const cfg = resolveConfig(opts);
      const type = opts.type as ModelType;
      const name = opts.name ?? `${basename(opts.data).replace(/\.csv(\.gz)?$/, '')}-${type}`;
      const [{ openDb }, { currentOperator }, { initBackend }, { runTrainingInWorker }, { saveArtifact }, { progressPrinter }] = await Promise.all([
        import('../../../store/db.js'), import('../../../store/audit.js'), import('../../models/backend.js'),
        import('../../models/trainJob.js'), import('../../registry/saveArtifact.js'), import('../progress.js'),
      ]);
      const backend = await initBackend();
      process.stderr.write(`training ${name} (${type}) with the ${backend.name} backend\n`);
      const controller = new AbortController();
      void untilSignal().then(() => controller.abort());
      const artifact = await runTrainingInWorker({
        type, label: opts.label, time: opts.time,
        csv: { data: opts.data, features: opts.features?.split(',').map((s) => s.trim()).filter(Boolean), from: opts.from, until: opts.until, schema: cfg.features },
        tuning: epochs === undefined ? undefined : { epochs },
      }, { onProgress: progressPrinter(), signal: controller.signal });
      const db = openDb(cfg.db);
      try {
        const info = saveArtifact(db, name, artifact, currentOperator());
        const m = artifact.metrics;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ model: `${info.name}@${info.version}`, alias: info.alias, metrics: m, trainedOn: artifact.trainedOn, backend: backend.name }, null, 2)}\n`);
        } else {
          process.stdout.write(`registered ${info.name}@${info.version} as ${info.alias}: held-out accuracy ${m.accuracy.toFixed(4)}, log loss ${m.logLoss.toFixed(4)}${m.auc === undefined ? '' : `, AUC ${m.auc.toFixed(4)}`} on ${m.rows} rows\n`);
        }
      } finally {
        db.close();
      }
    });
}

import type { Command } from 'commander';
import { resolveConfig, untilSignal, UsageError, type GlobalOptions } from '../context.js';

interface IngestOptions extends GlobalOptions {
  once?: boolean;
  quiet?: boolean;
  from?: string;
  stream: string;
  durable: string;
}

export function registerIngest(program: Command): void {
  program.command('ingest')
    .description('Read prediction logs (*.jsonl, *.jsonl.gz) from the watched directory into the database')
    .option('--once', 'read every file up to its end, then exit (default: keep watching until SIGINT/SIGTERM)')
    .option('--quiet', 'print nothing but errors')
    .option('--from <urls>', 'read the fleet\'s JetStream stream instead of files: NATS servers, comma-separated (nats://h1:4222,...)')
    .option('--stream <name>', 'with --from: the stream the shippers publish to', 'MLOPS')
    .option('--durable <name>', 'with --from: the durable consumer; a second ingest on the same one stands by', 'mlops-ingest')
    .addHelpText('after', '\nExamples:\n  mlops-tui ingest --watch ./predictions\n  mlops-tui ingest --once --db ./.mlops/mlops.db\n  mlops-tui ingest --from nats://n1:4222,nats://n2:4222,nats://n3:4222 --db /var/lib/mlops/mlops.db')
    .action(async (_opts: IngestOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<IngestOptions>();
      const cfg = resolveConfig(opts);
      if (opts.from !== undefined) {
        if (opts.once) throw new UsageError('--once reads local files; it cannot be combined with --from');
        const { ingestFromNats } = await import('../fleetIngest.js');
        await ingestFromNats(cfg, { from: opts.from, stream: opts.stream, durable: opts.durable, quiet: opts.quiet === true });
        return;
      }
      const [{ openDb }, { IngestStore }, { IngestService, ingestOptions }] = await Promise.all([
        import('../../../store/db.js'), import('../../../store/ingestStore.js'), import('../../ingest/ingestService.js'),
      ]);
      const db = openDb(cfg.db);
      const store = new IngestStore(db);
      store.pinSchema(cfg.features);
      const service = new IngestService(store, ingestOptions(cfg));
      const say = (s: string): void => { if (!opts.quiet) process.stderr.write(`${s}\n`); };
      const started = Date.now();
      const summary = (): string => {
        const t = service.totals;
        const secs = (Date.now() - started) / 1000;
        return `${t.predictions} predictions, ${t.labels} labels, ${t.quarantined} quarantined, ${t.duplicates} duplicates in ${secs.toFixed(1)} s`;
      };
      service.on('error', (e: Error) => process.stderr.write(`mlops-tui: ingest error: ${e.message}\n`));
      try {
        if (opts.once) {
          await service.scanOnce();
          say(`ingested ${summary()} from ${cfg.watch}`);
        } else {
          await service.start();
          say(`watching ${service.dir} into ${cfg.db} (Ctrl-C to stop)`);
          const tick = setInterval(() => say(`${service.rate().toFixed(0)} lines/s; ${summary()}`), 5000);
          tick.unref();
          const sig = await untilSignal();
          clearInterval(tick);
          await service.stop();
          say(`${sig}: stopped; ${summary()}`);
        }
      } finally {
        db.close();
      }
    });
}

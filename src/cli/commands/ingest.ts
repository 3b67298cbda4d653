import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { portOption, resolveConfig, untilSignal, UsageError, type GlobalOptions } from '../context.js';
import { addNatsFlags, natsEndpointOf, NATS_AUTH_HELP } from '../natsFlags.js';
import type { NatsFlagValues } from '../../fleet/natsAuth.js';

interface IngestOptions extends GlobalOptions, NatsFlagValues {
  once?: boolean;
  quiet?: boolean;
  from?: string;
  stream: string;
  durable: string;
  metrics?: string;
}

export function registerIngest(program: Command): void {
  const command = program.command('ingest')
    .description('Read prediction logs (*.jsonl, *.jsonl.gz) from the watched directory into the database')
    .option('--once', 'read every file up to its end, then exit (default: keep watching until SIGINT/SIGTERM)')
    .option('--quiet', 'print nothing but errors')
    .option('--metrics <port>', 'serve GET /metrics (Prometheus text format) on this loopback port: rate, rows, quarantined lines, lag (files or the NATS consumer)')
    .option('--from <urls>', 'read the fleet\'s JetStream stream instead of files: NATS servers, comma-separated (nats://h1:4222,...)')
    .option('--stream <name>', 'with --from: the stream the shippers publish to', 'MLOPS')
    .option('--durable <name>', 'with --from: the durable consumer; a second ingest on the same one stands by', 'mlops-ingest');
  // The NATS flags after the command's own, in --help too.
  addNatsFlags(command)
    .addHelpText('after', `
A commit that fails (database locked, disk full) is retried with backoff until it succeeds; the
error is printed and shown by \`mlops-tui status\`. A file that cannot be read is skipped with a
message and the others are read; --once then exits 1. If the watched directory is missing or
deleted, ingest says so and exits 1.
${NATS_AUTH_HELP}

Examples:
  mlops-tui ingest --watch ./predictions
  mlops-tui ingest --once --db ./.mlops/mlops.db
  mlops-tui ingest --metrics 9464    # curl -s localhost:9464/metrics
  mlops-tui ingest --from nats://n1:4222,nats://n2:4222,nats://n3:4222 --db /var/lib/mlops/mlops.db
  MLOPS_NATS_TOKEN=… mlops-tui ingest --from tls://n1:4222 --nats-tls-ca /etc/nats/ca.pem`)
    .action(async (_opts: IngestOptions, cmd: Command) => {
      // Loaded here, not at the top: it measures widths with string-width, whose Intl.Segmenter costs --help about 20 ms.
      const { sanitize } = await import('../../util/sanitize.js');
      const opts = cmd.optsWithGlobals<IngestOptions>();
      const cfg = resolveConfig(opts);
      const metricsPort = opts.metrics === undefined ? null : portOption('--metrics', opts.metrics);
      if (opts.from !== undefined) {
        if (opts.once) throw new UsageError('--once reads local files; it cannot be combined with --from');
        const { ingestFromNats } = await import('../fleetIngest.js');
        const endpoint = await natsEndpointOf(opts.from, '--from', opts);
        await ingestFromNats(cfg, { endpoint, stream: opts.stream, durable: opts.durable, quiet: opts.quiet === true, metricsPort });
        return;
      }
      if (!existsSync(cfg.watch)) throw new Error(`the watched directory ${resolve(cfg.watch)} does not exist: create it or pass --watch`);
      const [{ openDb }, { IngestStore }, { IngestService, ingestOptions }, { Retention, describePass }, { qualityFollower }] = await Promise.all([
        import('../../../store/db.js'), import('../../../store/ingestStore.js'), import('../../ingest/ingestService.js'), import('../../retention/retention.js'),
        import('../../quality/checker.js'),
      ]);
      const db = openDb(cfg.db);
      const store = new IngestStore(db);
      store.pinSchema(cfg.features);
      const service = new IngestService(store, { ...ingestOptions(cfg), parseWorker: true });
      const retention = new Retention(db, { rawDays: cfg.retention.rawDays, newestTs: () => store.newestTs() });
      const say = (s: string): void => { if (!opts.quiet) process.stderr.write(`${s}\n`); };
      const started = Date.now();
      const summary = (): string => {
        const t = service.totals;
        const secs = (Date.now() - started) / 1000;
        return `${t.predictions} predictions, ${t.labels} labels, ${t.quarantined} quarantined, ${t.duplicates} duplicates${t.conflicts > 0 ? `, ${t.conflicts} conflicts` : ''} in ${secs.toFixed(1)} s`;
      };
      service.on('error', (e: Error) => process.stderr.write(`mlops-tui: ingest: ${sanitize(e.message)}\n`));
      service.on('recovered', () => say('ingest: commits succeed again'));
      // Quality checks follow each committed batch (rows are flagged, never dropped).
      const quality = qualityFollower(db, cfg);
      service.on('batch', () => {
        try { quality.catchUp(); } catch (e) { process.stderr.write(`mlops-tui: quality check: ${sanitize((e as Error).message)}\n`); }
      });
      const skippedNote = (): string => (service.skipped.size > 0 ? `; ${service.skipped.size} file(s) skipped` : '');
      let exitCode = 0;
      try {
        if (opts.once) {
          // A signal ends the retries of a commit that keeps failing; what was committed stays.
          void untilSignal().then(() => { void service.stop(); });
          await service.scanOnce();
          await service.stop();
          say(`ingested ${summary()} from ${cfg.watch}${skippedNote()}`);
          const pruned = describePass(await retention.runOnce(), cfg.retention.rawDays);
          if (pruned) say(pruned);
          if (service.skipped.size > 0) exitCode = 1;
        } else {
          // Before start: a signal during the first catch-up also stops cleanly.
          const signalled = untilSignal();
          await service.start();
          retention.start();
          say(`watching ${service.dir} into ${cfg.db} (Ctrl-C to stop)`);
          let metrics: { url: string; close: () => Promise<void> } | null = null;
          if (metricsPort !== null) {
            const [{ metricsRegistry, startMetricsServer }, { storeTotals }] = await Promise.all([import('../../metrics/exporter.js'), import('../../../store/statusQueries.js')]);
            // Store totals (the row counters: cheap), so a restarted ingest reports what the store holds.
            const registry = metricsRegistry(() => ({ ingest: { ratePerSec: service.rate(), files: service.files, ...storeTotals(db), lagBytes: service.lagBytes() } }));
            metrics = await startMetricsServer(registry, metricsPort);
            say(`metrics on ${metrics.url}/metrics`);
          }
          const tick = setInterval(() => say(`${service.rate().toFixed(0)} lines/s; ${summary()}${service.problem ? `; ${service.problem}` : ''}`), 5000);
          const gone = new Promise<string>((r) => service.once('missing', r));
          const end = await Promise.race([signalled, gone]);
          clearInterval(tick);
          await metrics?.close();
          await retention.stop();
          await service.stop();
          if (end === 'SIGINT' || end === 'SIGTERM') say(`${end}: stopped; ${summary()}`);
          else {
            process.stderr.write(`mlops-tui: ${end}; stopping after ${summary()}\n`);
            exitCode = 1;
          }
        }
      } finally {
        db.close();
      }
      if (exitCode !== 0) process.exit(exitCode);
    });
}

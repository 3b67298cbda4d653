import type { Command } from 'commander';
import { portOption, resolveConfig, UsageError, type GlobalOptions } from '../context.js';
import type { FleetSource } from '../../fleet/engineFeed.js';
import type { NatsFlagValues } from '../../fleet/natsAuth.js';
import { addNatsFlags, natsEndpointOf, NATS_AUTH_HELP } from '../natsFlags.js';

async function fleetSource(from: string, stream: string, durable: string, flags: NatsFlagValues): Promise<FleetSource> {
  const { checkStreamName, FleetConfigError } = await import('../../fleet/jetstream.js');
  const { servers, auth } = await natsEndpointOf(from, '--from', flags);
  try {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(durable)) throw new FleetConfigError(`--durable "${durable}" must be 1-64 letters, digits, "-" or "_"`);
    return { servers, auth, stream: checkStreamName(stream), durable };
  } catch (err) {
    if (err instanceof FleetConfigError) throw new UsageError(err.message);
    throw err;
  }
}

interface ConsoleCliOptions extends GlobalOptions, NatsFlagValues {
  readOnly?: boolean;
  from?: string;
  stream: string;
  durable: string;
  metrics?: string;
}

export function registerConsole(program: Command): void {
  const command = program.command('console', { isDefault: true })
    .description('Open the live console (the default command): ingest, drift, shadows, models, retrain, events')
    .option('--read-only', 'hide every action that changes the registry or starts a job')
    .option('--from <urls>', 'read the fleet\'s JetStream stream instead of watching files (as `ingest --from`): NATS servers, comma-separated')
    .option('--stream <name>', 'with --from: the stream the shippers publish to', 'MLOPS')
    .option('--durable <name>', 'with --from: the durable consumer (shared with any `ingest --from`: one of them reads, the others stand by)', 'mlops-ingest')
    .option('--metrics <port>', 'serve GET /metrics (Prometheus text format) on this loopback port: ingest, drift per feature, accuracy per model, open alerts');
  // The NATS flags after the command's own, in --help too.
  addNatsFlags(command)
    .addHelpText('after', `${NATS_AUTH_HELP}\n\nExamples:\n  mlops-tui --watch /var/log/predictions --db /var/lib/mlops/mlops.db\n  mlops-tui console --read-only\n  mlops-tui --from nats://n1:4222,nats://n2:4222,nats://n3:4222 --db /var/lib/mlops/mlops.db\n  mlops-tui console --metrics 9464    # curl -s localhost:9464/metrics`)
    .action(async (_o: ConsoleCliOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ConsoleCliOptions>();
      const metricsPort = opts.metrics === undefined ? null : portOption('--metrics', opts.metrics);
      const { openConsole } = await import('../openConsole.js');
      const fleet = opts.from === undefined ? null : await fleetSource(opts.from, opts.stream, opts.durable, opts);
      await openConsole(resolveConfig(opts), { readOnly: opts.readOnly === true, fleet, metricsPort });
      process.exit(process.exitCode ?? 0);
    });
}

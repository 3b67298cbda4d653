import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hostname } from 'node:os';
import { resolveConfig, untilSignal, UsageError, type GlobalOptions } from '../context.js';
import { addNatsFlags, natsEndpointOf, NATS_AUTH_HELP } from '../natsFlags.js';
import type { NatsFlagValues } from '../../fleet/natsAuth.js';

interface ShipCliOptions extends GlobalOptions, NatsFlagValues {
  nats?: string;
  stream: string;
  replicas?: string;
  host?: string;
  spoolMax: string;
  once?: boolean;
  quiet?: boolean;
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

export function registerShip(program: Command): void {
  const command = program.command('ship')
    .description('On a serving host: publish each new line of the watched prediction logs to a NATS JetStream stream (offsets and the on-disk spool in --db)')
    .option('--nats <urls>', 'NATS servers, comma-separated (nats://host:4222,...)')
    .option('--stream <name>', 'JetStream stream, created when missing', 'MLOPS')
    .option('--replicas <n>', 'copies of each line when the stream is created (default: the cluster size, at most 3)')
    .option('--host <name>', 'this host\'s name in every line\'s metadata (default: the machine\'s hostname)')
    .option('--spool-max <lines>', 'lines kept on disk while the server is away; beyond, reading pauses and the lines wait in the log files', '1000000')
    .option('--once', 'read every file to its end, publish everything, then exit')
    .option('--quiet', 'print nothing but errors and warnings');
  // The NATS flags after the command's own, in --help too.
  addNatsFlags(command)
    .addHelpText('after', `\nThe offsets and the spool live in --db (default: ship.db beside the database of the config).\n${NATS_AUTH_HELP}\n\nExamples:\n  mlops-tui ship --watch /var/log/predictions --nats nats://n1:4222,nats://n2:4222,nats://n3:4222 --db /var/lib/mlops/ship.db\n  mlops-tui ship --watch ./predictions --nats nats://127.0.0.1:4222 --stream MLOPS --replicas 1 --once\n  MLOPS_NATS_PASS=… mlops-tui ship --nats tls://n1:4222 --nats-user web --nats-tls-ca /etc/nats/ca.pem --watch /var/log/predictions`)
    .action(async (_o: ShipCliOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ShipCliOptions>();
      const { checkStreamName, FleetConfigError } = await import('../../fleet/jetstream.js');
      const cfg = resolveConfig(opts);
      if (opts.nats === undefined) throw new UsageError('ship needs --nats, for example --nats nats://127.0.0.1:4222');
      const { servers, auth } = await natsEndpointOf(opts.nats, '--nats', opts);
      let stream: string;
      try {
        stream = checkStreamName(opts.stream);
      } catch (err) {
        if (err instanceof FleetConfigError) throw new UsageError(err.message);
        throw err;
      }
      const replicas = opts.replicas === undefined ? undefined : positiveInt(opts.replicas, '--replicas');
      const spoolMax = positiveInt(opts.spoolMax, '--spool-max');
      const dir = resolve(cfg.watch);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`the watched directory ${dir} does not exist or is not a directory`);
      const host = opts.host ?? hostname();
      const dbPath = opts.db ?? join(dirname(cfg.db), 'ship.db');
      const { openDb } = await import('../../../store/db.js');
      const { Shipper } = await import('../../fleet/ship.js');
      const { describeAuth } = await import('../../fleet/natsAuth.js');
      const { redactorFor } = await import('../../redact/redact.js');
      const db = openDb(dbPath);
      // the key beside --db's default location (or redactKeyFile): give every host the same key file
      const redact = redactorFor(cfg);
      const shipper = new Shipper(db, { dir, servers, auth, stream, host, replicas, spoolMax, pollMs: cfg.ingest.pollMs, limits: { maxLineBytes: cfg.ingest.maxLineBytes }, redact });
      const say = (s: string): void => { if (!opts.quiet) process.stderr.write(`${s}\n`); };
      const warn = (s: string): void => { process.stderr.write(`mlops-tui: ${s}\n`); };
      shipper.on('error', (e: Error) => warn(`ship error: ${e.message}`));
      // Refused credentials or TLS: one sentence and exit 1 (the spool and the offsets stay for the next start).
      const fatal = new Promise<never>((_, reject) => shipper.once('fatal', reject));
      fatal.catch(() => undefined);
      shipper.on('notice', (n: import('../../fleet/ship.js').ShipNotice) => {
        switch (n.kind) {
          case 'connected': say(`connected to ${n.server}`); break;
          case 'stream': say(n.created ? `created stream ${n.name} with ${n.replicas} replica(s)` : `stream ${n.name} (${n.replicas} replica(s))`); break;
          case 'away': warn(`NATS unreachable (${n.error}): ${n.pending} line(s) spooled on disk in ${dbPath} (bound ${spoolMax}); reading goes on`); break;
          case 'back': warn(`NATS back: sending the ${n.pending} spooled line(s)`); break;
          case 'spool-full': warn(`spool full: ${n.pending} lines on disk (bound ${n.bound}); reading paused, the next lines wait in the log files`); break;
          case 'spool-resumed': warn(`spool has room again (${n.pending} lines): reading resumed`); break;
        }
      });
      const summary = (): string => `read ${shipper.totals.read}, shipped ${shipper.totals.shipped} (${shipper.totals.resent} re-sent copies dropped by the server), spooled ${shipper.pending}`;
      try {
        say(`shipping ${dir} to ${servers.join(',')} ${describeAuth(auth)}, stream ${stream} as host ${host} (offsets and spool: ${dbPath})`);
        if (opts.once) {
          await shipper.startOnce();
          await Promise.race([shipper.drained(), fatal]);
          await shipper.stop();
          say(`shipped: ${summary()}`);
        } else {
          await shipper.start();
          const tick = setInterval(() => say(`${shipper.rate().toFixed(0)} lines/s; ${summary()}`), 5000);
          tick.unref();
          const sig = await Promise.race([untilSignal(), fatal]);
          clearInterval(tick);
          await shipper.stop();
          say(`${sig}: stopped; ${summary()}`);
        }
      } catch (err) {
        // The watcher still holds the database: stop it before the finally closes it.
        await shipper.stop().catch(() => undefined);
        throw err;
      } finally {
        db.close();
      }
      process.exit(process.exitCode ?? 0);
    });
}

/**
 * The headless front of `ingest --from nats://…`: flags in, notices out.
 * The work is src/fleet/natsIngest.ts into the SQLite store behind the LineSink seam.
 */
import type { Config } from '../config.js';
import { openDb } from '../../store/db.js';
import { FleetStore } from '../../store/fleetStore.js';
import { IngestStore } from '../../store/ingestStore.js';
import { FleetConfigError, checkStreamName } from '../fleet/jetstream.js';
import { describeAuth, type NatsEndpoint } from '../fleet/natsAuth.js';
import { NatsIngest, type NatsIngestNotice } from '../fleet/natsIngest.js';
import { untilSignal, UsageError } from './context.js';
import { Retention } from '../retention/retention.js';

export interface FleetIngestOptions {
  /** Servers and credentials, parsed by src/cli/natsFlags.ts. */
  endpoint: NatsEndpoint;
  stream: string;
  durable: string;
  quiet: boolean;
  /** Serve GET /metrics on this loopback port (null: no). */
  metricsPort: number | null;
}

export async function ingestFromNats(cfg: Config, o: FleetIngestOptions): Promise<void> {
  const { servers, auth } = o.endpoint;
  try {
    checkStreamName(o.stream);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(o.durable)) throw new FleetConfigError(`--durable "${o.durable}" must be 1-64 letters, digits, "-" or "_"`);
  } catch (err) {
    if (err instanceof FleetConfigError) throw new UsageError(err.message);
    throw err;
  }
  const db = openDb(cfg.db);
  const local = new IngestStore(db);
  local.pinSchema(cfg.features);
  const ingest = new NatsIngest(new FleetStore(db), { servers, auth, stream: o.stream, durable: o.durable });
  const retention = new Retention(db, { rawDays: cfg.retention.rawDays, newestTs: () => local.newestTs() });
  const say = (s: string): void => { if (!o.quiet) process.stderr.write(`${s}\n`); };
  ingest.on('notice', (n: NatsIngestNotice) => {
    switch (n.kind) {
      case 'connected': say(`connected to ${n.server}`); break;
      case 'standby': say(`standing by: ${n.holder} holds durable consumer ${o.durable}; taking over if it stops renewing`); break;
      case 'active': say(`active: reading ${o.stream} through durable consumer ${o.durable} into ${cfg.db}`); break;
      case 'lost-lease': process.stderr.write('mlops-tui: another ingest took the durable consumer over; standing by\n'); break;
      case 'retry': process.stderr.write(`mlops-tui: NATS: ${n.error}; retrying\n`); break;
    }
  });
  const started = Date.now();
  const summary = (): string => {
    const t = ingest.totals;
    return `${t.predictions} predictions, ${t.labels} labels, ${t.quarantined} quarantined, ${t.duplicates} duplicates (${t.redelivered} redelivered) in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  };
  say(`reading ${o.stream} from ${servers.join(',')} ${describeAuth(auth)} (Ctrl-C to stop)`);
  const tick = setInterval(() => { if (ingest.active) say(`${ingest.rate().toFixed(0)} lines/s; ${summary()}`); }, 5000);
  tick.unref();
  let metrics: { url: string; close: () => Promise<void> } | null = null;
  if (o.metricsPort !== null) {
    const [{ metricsRegistry, startMetricsServer }, { storeTotals }] = await Promise.all([import('../metrics/exporter.js'), import('../../store/statusQueries.js')]);
    const registry = metricsRegistry(() => {
      const lag = ingest.lag();
      return { ingest: { ratePerSec: ingest.rate(), files: 0, ...storeTotals(db), natsPending: lag?.pending ?? null, natsOldestUnackedSeconds: lag?.oldestUnackedSeconds ?? null } };
    });
    metrics = await startMetricsServer(registry, o.metricsPort);
    say(`metrics on ${metrics.url}/metrics`);
  }
  try {
    const sig = untilSignal();
    retention.start();
    await Promise.race([ingest.start(), sig]);
    const s = await sig;
    clearInterval(tick);
    await metrics?.close();
    await retention.stop();
    await ingest.stop();
    say(`${s}: stopped; ${summary()}`);
  } finally {
    db.close();
  }
  process.exit(process.exitCode ?? 0);
}

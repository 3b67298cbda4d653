/**
 * The console with `--from nats://…`: the engine thread reads the fleet's
 * stream into its store (the same NatsIngest as `ingest --from`, the same lease,
 * so a headless ingest elsewhere on the same durable consumer and this console
 * never both write) instead of watching local files, and refreshes its
 * analytics after each committed batch.
 */
import type { Db } from '../../store/db.js';
import { FleetStore } from '../../store/fleetStore.js';
import { NatsIngest, type ConsumerLag, type NatsIngestNotice } from './natsIngest.js';
import type { NatsAuth } from './natsAuth.js';

export interface FleetSource {
  servers: string[];
  /** Credentials and TLS (plain data: it crosses to the engine thread). */
  auth: NatsAuth | null;
  stream: string;
  durable: string;
}

export interface FleetFeed {
  stop(): Promise<void>;
  /** The durable consumer's backlog (natsIngest.ts), for the console's `--metrics`. */
  lag(): ConsumerLag | null;
}

/**
 * `onProblem`: the feed's trouble, one sentence that stays on the console's flash line until
 * the feed reports it is over (null): a refusal of the credentials stays for good.
 */
export function startFleetFeed(db: Db, src: FleetSource, onBatch: () => void, onProblem: (message: string | null) => void): FleetFeed {
  const ingest = new NatsIngest(new FleetStore(db), { servers: src.servers, auth: src.auth, stream: src.stream, durable: src.durable });
  ingest.on('batch', () => { onProblem(null); onBatch(); });
  ingest.on('notice', (n: NatsIngestNotice) => {
    if (n.kind === 'retry') onProblem(`NATS: ${n.error}; retrying`);
    else if (n.kind === 'standby') onProblem(`standing by: ${n.holder} reads ${src.stream} through ${src.durable}`);
    else if (n.kind === 'lost-lease') onProblem('another ingest took the durable consumer over; standing by');
    else if (n.kind === 'active') onProblem(null);
  });
  const started = ingest.start().catch((e: Error) => onProblem(`NATS: ${e.message}`));
  return {
    lag: () => ingest.lag(),
    async stop() {
      // A console closed while still connecting: stop() ends the attempt as soon as it resolves.
      void started.then(() => ingest.stop());
      await ingest.stop();
    },
  };
}

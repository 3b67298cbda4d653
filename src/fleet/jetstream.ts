/**
 * The one place that talks to the JetStream API for the fleet: server lists,
 * the connection, the stream and the durable consumer. `ship` and
 * `ingest --from` both go through here, so they agree on names and settings.
 */
import { AuthorizationError, UserAuthenticationExpiredError, connect, credsAuthenticator, nanos, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { NatsAuth } from './natsAuth.js';
import { AckPolicy, DeliverPolicy, JetStreamApiError, StorageType, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';

export const DEFAULT_STREAM = 'MLOPS';
export const DEFAULT_DURABLE = 'mlops-ingest';
/** Copies of a re-sent line younger than this are dropped by the server itself (store keys absorb the rest). */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

export class FleetConfigError extends Error {}

/**
 * The server refused who we are, or the TLS handshake failed: waiting will not
 * fix it, so the command ends with this one sentence instead of retrying.
 */
export class FleetAuthError extends Error {}

/** `nats://h1:4222,nats://h2:4222` → the server list, or one sentence naming the bad entry. */
export function parseServers(spec: string, flag: string): string[] {
  const out = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (out.length === 0) throw new FleetConfigError(`${flag} needs at least one server, for example nats://127.0.0.1:4222`);
  for (const s of out) {
    let u: URL;
    try { u = new URL(s); } catch { throw new FleetConfigError(`${flag}: "${s}" is not a URL (expected nats://host:port)`); }
    if (u.protocol !== 'nats:' && u.protocol !== 'tls:') throw new FleetConfigError(`${flag}: "${s}" is not a nats:// or tls:// URL`);
    if (u.hostname === '') throw new FleetConfigError(`${flag}: "${s}" names no host`);
  }
  return out;
}

export function checkStreamName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new FleetConfigError(`--stream "${name}" must be 1-64 letters, digits, "-" or "_"`);
  return name;
}

/**
 * Connects and keeps reconnecting for ever: a server that is away is the
 * normal case for a shipper (it spools) and for an ingest (it waits), not an
 * error that ends the process. Resolves once the first connection is up.
 * Refused credentials or a failed TLS handshake reject with FleetAuthError:
 * those are configuration, not an outage.
 */
export async function connectFleet(servers: string[], name: string, auth: NatsAuth | null = null): Promise<NatsConnection> {
  const c = auth?.credentials ?? { kind: 'none' as const };
  const opts: NodeConnectionOptions = {
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // A server that stops answering (not only one that closes the socket) is noticed in seconds.
    pingInterval: 2000,
    maxPingOut: 2,
    ...(c.kind === 'user' ? { user: c.user, pass: c.pass } : {}),
    ...(c.kind === 'token' ? { token: c.token } : {}),
    ...(c.kind === 'creds' ? { authenticator: credsAuthenticator(new TextEncoder().encode(c.creds)) } : {}),
    ...(auth?.tls ? { tls: { ...auth.tls } } : {}),
  };
  // Our own wait for the first connection, not the client's `waitOnFirstConnect`: that one
  // also retries a failed TLS handshake for ever, and a wrong CA would look like an outage.
  for (;;) {
    try {
      return await connect(opts);
    } catch (err) {
      const fatal = authFailure(err, servers);
      if (fatal) throw fatal;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** One sentence for a refusal that retrying cannot cure, or null for anything else. */
function authFailure(err: unknown, servers: string[]): FleetAuthError | null {
  const where = servers.join(',');
  if (err instanceof AuthorizationError || err instanceof UserAuthenticationExpiredError) {
    return new FleetAuthError(`NATS at ${where} refused the credentials (${err.message}): check the user and MLOPS_NATS_PASS, the token or --nats-creds`);
  }
  // Node's TLS errors carry OpenSSL's codes (self-signed certificate, unknown CA, wrong host name, bad certificate).
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const msg = typeof e?.message === 'string' ? e.message : '';
  if (/CERT|SELF_SIGNED|TLS|SSL|ERR_TLS/i.test(code) || /certificate|tls|ssl/i.test(msg)) {
    return new FleetAuthError(`TLS to NATS at ${where} failed (${msg.replace(/\s+/g, ' ').trim() || code}): check --nats-tls-ca, --nats-tls-cert and --nats-tls-key`);
  }
  if (e?.cause !== undefined && e.cause !== err) return authFailure(e.cause, servers);
  return null;
}

/** Servers in the cluster the connection sees (itself and the ones it gossips). */
export function clusterSize(nc: NatsConnection): number {
  const info = nc.info;
  if (!info || !info.cluster) return 1;
  const urls = new Set(info.connect_urls ?? []);
  return Math.max(1, urls.size);
}

function notFound(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

export interface StreamSpec {
  name: string;
  /** Copies of each message; default: the cluster's size, at most 3. */
  replicas?: number;
}

/**
 * Creates the stream when it is missing and returns its replica count. An
 * existing stream is used as it is (its replicas are an operator's choice).
 */
export async function ensureStream(jsm: JetStreamManager, nc: NatsConnection, spec: StreamSpec): Promise<{ created: boolean; replicas: number }> {
  try {
    const info = await jsm.streams.info(spec.name);
    return { created: false, replicas: info.config.num_replicas };
  } catch (err) {
    if (!notFound(err, 10059)) throw err;
  }
  const replicas = spec.replicas ?? Math.min(3, clusterSize(nc));
  try {
    await jsm.streams.add({
      name: spec.name,
      subjects: [`${spec.name}.>`],
      storage: StorageType.File,
      num_replicas: replicas,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
    return { created: true, replicas };
  } catch (err) {
    // Two shippers started at once: the other one created it.
    try {
      const info = await jsm.streams.info(spec.name);
      return { created: false, replicas: info.config.num_replicas };
    } catch {
      throw err;
    }
  }
}

/** The durable pull consumer the ingest (and its standby) read from, created when missing. */
export async function ensureConsumer(jsm: JetStreamManager, stream: string, durable: string, ackWaitMs: number): Promise<void> {
  try {
    await jsm.consumers.info(stream, durable);
    return;
  } catch (err) {
    if (!notFound(err, 10014)) throw err;
  }
  try {
    await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${stream}.lines.>`,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: 20_000,
    });
  } catch (err) {
    try { await jsm.consumers.info(stream, durable); } catch { throw err; }
  }
}

export { jetstreamManager };

/**
 * How `ship`, `ingest --from` and the console's `--from` prove who they are to
 * NATS and secure the connection: one parser for the three commands, so a flag
 * means the same everywhere.
 *
 * Secrets never travel as a flag's value (`ps` shows every process's argv): a
 * password comes from MLOPS_NATS_PASS, a token from MLOPS_NATS_TOKEN or a file,
 * a JWT + NKey from a `.creds` file. Credentials in a server URL
 * (`nats://user:pass@host`, `nats://token@host`, nats-server's own convention)
 * are accepted because operators paste them, and the help says `ps` shows them.
 * They are taken out of the URLs before connecting (the client does not read
 * them there) and must be the same on every URL. One way to authenticate at a
 * time: two would leave which one the server checks to the client's order.
 *
 * The result is plain data (strings): the console hands it to its engine
 * thread in workerData.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { FleetConfigError, parseServers } from './jetstream.js';

/** Present means TLS is required (a server without it is refused). */
export interface NatsTls {
  /** PEM bundle of the CA that signed the servers' certificates (default: the system's CAs). */
  caFile?: string;
  /** Client certificate and key, for servers that verify clients (`verify: true`). */
  certFile?: string;
  keyFile?: string;
}

export type NatsCredentials =
  | { kind: 'none' }
  | { kind: 'user'; user: string; pass: string }
  | { kind: 'token'; token: string }
  /** The text of a `.creds` file: the user JWT and its NKey seed. */
  | { kind: 'creds'; creds: string; file: string };

export interface NatsAuth {
  credentials: NatsCredentials;
  tls: NatsTls | null;
}

/** Servers without credentials in them, and how to authenticate to them. */
export interface NatsEndpoint {
  servers: string[];
  auth: NatsAuth;
}

/** The flags of src/cli/natsFlags.ts, as commander hands them over. */
export interface NatsFlagValues {
  natsUser?: string;
  natsCreds?: string;
  natsTokenFile?: string;
  natsTlsCa?: string;
  natsTlsCert?: string;
  natsTlsKey?: string;
}

function readable(file: string, flag: string): string {
  try {
    accessSync(file, constants.R_OK);
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new FleetConfigError(`${flag} ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * `spec` is the `--nats`/`--from` value, `flag` its name for messages; `env`
 * is where MLOPS_NATS_USER, MLOPS_NATS_PASS and MLOPS_NATS_TOKEN are read.
 * Throws FleetConfigError (one sentence) on anything inconsistent.
 */
export function natsEndpoint(spec: string, flag: string, flags: NatsFlagValues, env: NodeJS.ProcessEnv = process.env): NatsEndpoint {
  const found: Array<{ from: string; credentials: NatsCredentials }> = [];

  // Credentials written in the URLs: the same on every URL that has any.
  let inUrl: NatsCredentials | null = null;
  let tlsScheme = false;
  const servers = parseServers(spec, flag).map((s) => {
    const u = new URL(s);
    if (u.protocol === 'tls:') tlsScheme = true;
    if (u.username === '' && u.password === '') return s;
    const user = decodeURIComponent(u.username);
    const c: NatsCredentials = u.password === '' ? { kind: 'token', token: user } : { kind: 'user', user, pass: decodeURIComponent(u.password) };
    if (inUrl !== null && JSON.stringify(inUrl) !== JSON.stringify(c)) throw new FleetConfigError(`${flag}: the servers carry different credentials; give them once (or in MLOPS_NATS_USER/MLOPS_NATS_PASS)`);
    inUrl = c;
    // The client reads host and port only; credentials go in the connect options.
    return `${u.protocol}//${u.host}`;
  });
  if (inUrl !== null) found.push({ from: `the ${flag} URL`, credentials: inUrl });

  const user = flags.natsUser ?? env.MLOPS_NATS_USER;
  const pass = env.MLOPS_NATS_PASS;
  if (user !== undefined && user !== '') {
    if (pass === undefined || pass === '') throw new FleetConfigError(`NATS user "${user}" needs its password in the environment variable MLOPS_NATS_PASS (never on the command line, where ps shows it)`);
    found.push({ from: 'MLOPS_NATS_USER/MLOPS_NATS_PASS', credentials: { kind: 'user', user, pass } });
  } else if (pass !== undefined && pass !== '') {
    throw new FleetConfigError('MLOPS_NATS_PASS is set but no user: pass --nats-user NAME or set MLOPS_NATS_USER');
  }

  const envToken = env.MLOPS_NATS_TOKEN;
  if (envToken !== undefined && envToken !== '') found.push({ from: 'MLOPS_NATS_TOKEN', credentials: { kind: 'token', token: envToken } });
  if (flags.natsTokenFile !== undefined) {
    const token = readable(flags.natsTokenFile, '--nats-token-file').trim();
    if (token === '') throw new FleetConfigError(`--nats-token-file ${flags.natsTokenFile} is empty`);
    found.push({ from: '--nats-token-file', credentials: { kind: 'token', token } });
  }
  if (flags.natsCreds !== undefined) {
    const creds = readable(flags.natsCreds, '--nats-creds');
    if (!/-----BEGIN NATS USER JWT-----/.test(creds) || !/-----BEGIN USER NKEY SEED-----/.test(creds)) {
      throw new FleetConfigError(`--nats-creds ${flags.natsCreds} is not a NATS credentials file (it needs a user JWT and an NKey seed, as \`nsc generate creds\` writes)`);
    }
    found.push({ from: '--nats-creds', credentials: { kind: 'creds', creds, file: flags.natsCreds } });
  }
  if (found.length > 1) throw new FleetConfigError(`NATS credentials given twice, in ${found[0].from} and in ${found[1].from}: give one`);

  let tls: NatsTls | null = null;
  if (flags.natsTlsCa !== undefined || flags.natsTlsCert !== undefined || flags.natsTlsKey !== undefined || tlsScheme) {
    if ((flags.natsTlsCert === undefined) !== (flags.natsTlsKey === undefined)) throw new FleetConfigError('--nats-tls-cert and --nats-tls-key go together: the client certificate and its private key');
    tls = {};
    if (flags.natsTlsCa !== undefined) { readable(flags.natsTlsCa, '--nats-tls-ca'); tls.caFile = flags.natsTlsCa; }
    if (flags.natsTlsCert !== undefined) { readable(flags.natsTlsCert, '--nats-tls-cert'); tls.certFile = flags.natsTlsCert; }
    if (flags.natsTlsKey !== undefined) { readable(flags.natsTlsKey, '--nats-tls-key'); tls.keyFile = flags.natsTlsKey; }
  }
  return { servers, auth: { credentials: found[0]?.credentials ?? { kind: 'none' }, tls } };
}

/** How the endpoint authenticates, for a start-up line (never the secret itself). */
export function describeAuth(auth: NatsAuth): string {
  const c = auth.credentials;
  const who = c.kind === 'user' ? `as user ${c.user}` : c.kind === 'token' ? 'with a token' : c.kind === 'creds' ? `with the credentials in ${c.file}` : 'without credentials';
  return `${who}${auth.tls ? ', over TLS' : ''}`;
}

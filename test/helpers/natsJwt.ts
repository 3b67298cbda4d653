/**
 * A NATS operator, account and user with their JWTs, made here with the client's own nkeys
 * (no `nsc` on the machine): enough for a nats-server in operator mode (a memory resolver
 * preloaded with the account) and a `.creds` file as `nsc generate creds` writes it. The JWTs
 * are NATS's v2 claims signed with ed25519 nkeys (header `{"typ":"JWT","alg":"ed25519-nkey"}`).
 */
import { createHash } from 'node:crypto';
import { nkeys } from '@nats-io/transport-node';

type KeyPair = ReturnType<typeof nkeys.createUser>;

const b64url = (b: Uint8Array | string): string => Buffer.from(b).toString('base64url');

function jwt(signer: KeyPair, sub: string, name: string, nats: Record<string, unknown>): string {
  const claims: Record<string, unknown> = { iat: Math.floor(Date.now() / 1000), iss: signer.getPublicKey(), name, sub, nats: { ...nats, version: 2 } };
  // jti: a hash of the claims, as the jwt library makes it (the server reads it as an id only).
  claims.jti = createHash('sha256').update(JSON.stringify(claims)).digest('base64url').toUpperCase().slice(0, 52);
  const head = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }))}.${b64url(JSON.stringify(claims))}`;
  return `${head}.${b64url(signer.sign(new TextEncoder().encode(head)))}`;
}

export interface OperatorSetup {
  /** nats-server config lines: operator, memory resolver preloaded with the account. */
  config: string;
  /** The text of a user's `.creds` file. */
  creds: string;
  /** A `.creds` file of a user the account never signed (refused). */
  strangerCreds: string;
}

function credsFile(userJwt: string, seed: Uint8Array): string {
  return `-----BEGIN NATS USER JWT-----\n${userJwt}\n------END NATS USER JWT------\n\n`
    + '************************* IMPORTANT *************************\nNKEY Seed printed below can be used to sign and prove identity.\n\n'
    + `-----BEGIN USER NKEY SEED-----\n${new TextDecoder().decode(seed)}\n------END USER NKEY SEED------\n`;
}

export function operatorSetup(): OperatorSetup {
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  const system = nkeys.createAccount();
  const user = nkeys.createUser();
  const unlimited = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };
  const opJwt = jwt(operator, operator.getPublicKey(), 'mlops-test', { type: 'operator', system_account: system.getPublicKey() });
  const accJwt = jwt(operator, account.getPublicKey(), 'mlops', {
    type: 'account', default_permissions: { pub: {}, sub: {} },
    limits: { ...unlimited, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1, max_ack_pending: -1, mem_max_stream_bytes: -1, disk_max_stream_bytes: -1, max_bytes_required: false },
  });
  const sysJwt = jwt(operator, system.getPublicKey(), 'SYS', { type: 'account', default_permissions: { pub: {}, sub: {} }, limits: unlimited });
  const userJwt = jwt(account, user.getPublicKey(), 'ship', { type: 'user', pub: {}, sub: {}, subs: -1, data: -1, payload: -1 });
  // Signed by a key the operator never made an account of.
  const rogue = nkeys.createAccount();
  const stranger = nkeys.createUser();
  const strangerJwt = jwt(rogue, stranger.getPublicKey(), 'stranger', { type: 'user', pub: {}, sub: {}, subs: -1, data: -1, payload: -1 });
  return {
    config: [
      `operator: "${opJwt}"`,
      `system_account: "${system.getPublicKey()}"`,
      'resolver: MEMORY',
      `resolver_preload: {\n  ${account.getPublicKey()}: "${accJwt}"\n  ${system.getPublicKey()}: "${sysJwt}"\n}`,
      '',
    ].join('\n'),
    creds: credsFile(userJwt, user.getSeed()),
    strangerCreds: credsFile(strangerJwt, stranger.getSeed()),
  };
}

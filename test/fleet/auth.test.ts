/**
 * NATS authentication and TLS for `ship`, `ingest --from` (issue 17), against
 * real nats-server processes started with an `authorization` block and with a
 * `tls` block whose certificates openssl makes here: refused credentials or an
 * unknown CA end the command in one sentence with exit 1; the right ones
 * deliver every line exactly once; a password given through the environment
 * never appears in the process's argv (what `ps` shows).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { NatsCluster, natsServerBinary, NO_NATS } from '../helpers/nats.js';
import { HostLog, assertExactlyOnce, caughtUp, expected, readStore, startCli, stop, waitFor, type Child } from '../helpers/fleet.js';
import { natsEndpoint } from '../../src/fleet/natsAuth.js';
import { fileURLToPath } from 'node:url';
import { startTmux, tmuxMissing } from '../helpers/tmux.js';
import { operatorSetup } from '../helpers/natsJwt.js';

const noNats = natsServerBinary() === null ? NO_NATS : false;
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const noTls = noNats || (hasOpenssl ? false : 'openssl is not installed: the TLS test makes its certificates with it');

/** The one line a refused command prints, and its exit code. */
async function refusal(c: Child): Promise<{ code: number | null; lines: string[] }> {
  const { code } = await c.exited;
  return { code, lines: c.stderr().split('\n').filter((l) => l.startsWith('mlops-tui:')) };
}

test('user and password: a wrong password is one sentence and exit 1; the right one (URL or environment) delivers once, never in argv', { skip: noNats, timeout: 180_000 }, async () => {
  const dir = tempDir('mlops-fleet-auth-');
  const conf = join(dir, 'auth.conf');
  writeFileSync(conf, 'authorization { user: "alice", password: "s3cret-pw" }\n');
  const nats = await NatsCluster.start(dir, 1, { config: conf });
  after(() => nats.stopAll());
  const port = nats.nodes[0].port;
  const url = `nats://127.0.0.1:${port}`;
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const log = new HostLog('web-1', logs);
  log.write(200);
  const storeDb = join(dir, 'store.db');

  const badShip = startCli(dir, ['ship', '--watch', logs, '--nats', url, '--nats-user', 'alice', '--db', join(dir, 'bad-ship.db'), '--host', 'web-1', '--once'], { MLOPS_NATS_PASS: 'wrong' });
  const shipRefused = await refusal(badShip);
  assert.equal(shipRefused.code, 1, badShip.stderr());
  assert.equal(shipRefused.lines.length, 1, badShip.stderr());
  assert.match(shipRefused.lines[0], /^mlops-tui: NATS at nats:\/\/127\.0\.0\.1:\d+ refused the credentials \(.*Authorization Violation.*\): check the user and MLOPS_NATS_PASS/i);
  assert.doesNotMatch(badShip.stderr(), /wrong/, 'the password is not echoed');

  const badIngest = startCli(dir, ['ingest', '--from', `nats://alice:nope@127.0.0.1:${port}`, '--db', join(dir, 'bad-store.db')]);
  const ingestRefused = await refusal(badIngest);
  assert.equal(ingestRefused.code, 1, badIngest.stderr());
  assert.equal(ingestRefused.lines.length, 1, badIngest.stderr());
  assert.match(ingestRefused.lines[0], /refused the credentials/);
  assert.doesNotMatch(badIngest.stderr(), /nope/, 'the password in the URL is not echoed');

  // The right credentials: the shipper's in its URL, the ingest's in the environment.
  const ship = startCli(dir, ['ship', '--watch', logs, '--nats', `nats://alice:s3cret-pw@127.0.0.1:${port}`, '--db', join(dir, 'ship.db'), '--host', 'web-1']);
  const ingest = startCli(dir, ['ingest', '--from', url, '--nats-user', 'alice', '--db', storeDb], { MLOPS_NATS_PASS: 's3cret-pw' });
  const kids = [ship, ingest];
  const cmdline = readFileSync(`/proc/${ingest.proc.pid}/cmdline`, 'utf8');
  assert.ok(cmdline.includes('--nats-user') && !cmdline.includes('s3cret-pw'), 'the password read from MLOPS_NATS_PASS is not in argv (ps)');
  log.write(300);
  const want = expected([log]);
  await waitFor(() => caughtUp(storeDb, want), 'every line through the authenticated servers', 90_000, kids);
  assert.match(ingest.stderr(), /as user alice/);
  await stop(ship);
  await stop(ingest);
  assertExactlyOnce(readStore(storeDb)!, want);
});

test('a .creds file (JWT and NKey, operator mode): a user the account never signed is one sentence and exit 1; the right one delivers once', { skip: noNats, timeout: 180_000 }, async () => {
  const dir = tempDir('mlops-fleet-creds-');
  const op = operatorSetup();
  const conf = join(dir, 'operator.conf');
  writeFileSync(conf, op.config);
  const nats = await NatsCluster.start(dir, 1, { config: conf });
  after(() => nats.stopAll());
  const creds = join(dir, 'ship.creds');
  writeFileSync(creds, op.creds, { mode: 0o600 });
  const stranger = join(dir, 'stranger.creds');
  writeFileSync(stranger, op.strangerCreds, { mode: 0o600 });
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const log = new HostLog('web-3', logs);
  log.write(200);
  const storeDb = join(dir, 'store.db');

  const refused = startCli(dir, ['ingest', '--from', nats.urls, '--nats-creds', stranger, '--db', join(dir, 'bad-store.db')]);
  const r = await refusal(refused);
  assert.equal(r.code, 1, refused.stderr());
  assert.equal(r.lines.length, 1, refused.stderr());
  assert.match(r.lines[0], /refused the credentials \(Authorization Violation\)/);

  const ship = startCli(dir, ['ship', '--watch', logs, '--nats', nats.urls, '--nats-creds', creds, '--db', join(dir, 'ship.db'), '--host', 'web-3']);
  const ingest = startCli(dir, ['ingest', '--from', nats.urls, '--nats-creds', creds, '--db', storeDb]);
  const kids = [ship, ingest];
  log.write(300);
  const want = expected([log]);
  await waitFor(() => caughtUp(storeDb, want), 'every line through the operator-mode server', 90_000, kids);
  assert.match(ingest.stderr(), /with the credentials in .*ship\.creds/);
  await stop(ship);
  await stop(ingest);
  assertExactlyOnce(readStore(storeDb)!, want);
});

test('the console with --from and a wrong password says so on its flash line', { skip: noNats || (tmuxMissing() ?? false), timeout: 120_000 }, async (t) => {
  const dir = tempDir('mlops-fleet-authconsole-');
  const conf = join(dir, 'auth.conf');
  writeFileSync(conf, 'authorization { user: "alice", password: "s3cret-pw" }\n');
  const nats = await NatsCluster.start(dir, 1, { config: conf });
  after(() => nats.stopAll());
  const bin = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
  const s = startTmux({ cols: 200, rows: 30, cwd: dir });
  t.after(() => s.kill());
  s.run(`MLOPS_NATS_PASS=wrong node ${bin} --db ${join(dir, 'store.db')} --watch ${join(dir, 'none')} --from ${nats.urls} --nats-user alice`);
  await s.waitFor(/NATS: NATS at nats:\/\/127\.0\.0\.1:\d+ refused the credentials/, 60_000, 'the refusal on the flash line');
  s.type('q');
  await s.exitCode(30_000);
});

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function certificates(dir: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=mlops test CA']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext']);
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client-key.pem', '-out', 'client.csr', '-subj', '/CN=mlops-ingest']);
  openssl(dir, ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'client.pem', '-days', '2', '-extfile', 'client.ext']);
}

test('TLS with client certificates and a token: an unknown CA is one sentence and exit 1; the right CA, certificate and token deliver once', { skip: noTls, timeout: 180_000 }, async () => {
  const dir = tempDir('mlops-fleet-tls-');
  const pki = join(dir, 'pki');
  mkdirSync(pki);
  certificates(pki);
  const conf = join(dir, 'tls.conf');
  writeFileSync(conf, [
    'authorization { token: "tok-7f3a9" }',
    `tls { cert_file: "${join(pki, 'server.pem')}", key_file: "${join(pki, 'server-key.pem')}", ca_file: "${join(pki, 'ca.pem')}", verify: true, timeout: 5 }`,
    '',
  ].join('\n'));
  const nats = await NatsCluster.start(dir, 1, { config: conf });
  after(() => nats.stopAll());
  const url = `tls://127.0.0.1:${nats.nodes[0].port}`;
  const tokenFile = join(dir, 'nats.token');
  writeFileSync(tokenFile, 'tok-7f3a9\n', { mode: 0o600 });
  const client = ['--nats-tls-cert', join(pki, 'client.pem'), '--nats-tls-key', join(pki, 'client-key.pem')];
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const log = new HostLog('web-2', logs);
  log.write(200);
  const storeDb = join(dir, 'store.db');

  // No CA given: the server's certificate is not trusted (the system's CAs did not sign it).
  const untrusted = startCli(dir, ['ingest', '--from', url, '--nats-token-file', tokenFile, ...client, '--db', join(dir, 'bad-store.db')]);
  const refused = await refusal(untrusted);
  assert.equal(refused.code, 1, untrusted.stderr());
  assert.equal(refused.lines.length, 1, untrusted.stderr());
  assert.match(refused.lines[0], /^mlops-tui: TLS to NATS at tls:\/\/127\.0\.0\.1:\d+ failed \(.+\): check --nats-tls-ca/);

  const ship = startCli(dir, ['ship', '--watch', logs, '--nats', url, '--nats-tls-ca', join(pki, 'ca.pem'), ...client, '--db', join(dir, 'ship.db'), '--host', 'web-2'], { MLOPS_NATS_TOKEN: 'tok-7f3a9' });
  const ingest = startCli(dir, ['ingest', '--from', url, '--nats-token-file', tokenFile, '--nats-tls-ca', join(pki, 'ca.pem'), ...client, '--db', storeDb]);
  const kids = [ship, ingest];
  log.write(300);
  const want = expected([log]);
  await waitFor(() => caughtUp(storeDb, want), 'every line over TLS', 90_000, kids);
  assert.match(ingest.stderr(), /with a token, over TLS/);
  await stop(ship);
  await stop(ingest);
  assertExactlyOnce(readStore(storeDb)!, want);
});

test('the one option parser: URL credentials are taken out of the URLs, one way at a time, secrets never from flags', () => {
  const none = {};
  const u = natsEndpoint('nats://al%40ce:p%3Ass@h1:4222,nats://al%40ce:p%3Ass@h2:4222', '--nats', none, {});
  assert.deepEqual(u.servers, ['nats://h1:4222', 'nats://h2:4222']);
  assert.deepEqual(u.auth.credentials, { kind: 'user', user: 'al@ce', pass: 'p:ss' });
  assert.equal(u.auth.tls, null);
  assert.deepEqual(natsEndpoint('nats://s3cr3t@h1:4222', '--from', none, {}).auth.credentials, { kind: 'token', token: 's3cr3t' });
  assert.deepEqual(natsEndpoint('tls://h1:4222', '--from', none, {}).auth.tls, {}, 'tls:// requires TLS');
  assert.deepEqual(natsEndpoint('nats://h1:4222', '--from', { natsUser: 'bob' }, { MLOPS_NATS_PASS: 'x' }).auth.credentials, { kind: 'user', user: 'bob', pass: 'x' });
  assert.deepEqual(natsEndpoint('nats://h1:4222', '--from', none, { MLOPS_NATS_USER: 'bob', MLOPS_NATS_PASS: 'x' }).auth.credentials, { kind: 'user', user: 'bob', pass: 'x' });
  assert.throws(() => natsEndpoint('nats://a:b@h1:4222,nats://a:c@h2:4222', '--nats', none, {}), /carry different credentials/);
  assert.throws(() => natsEndpoint('nats://h1:4222', '--from', { natsUser: 'bob' }, {}), /needs its password in the environment variable MLOPS_NATS_PASS/);
  assert.throws(() => natsEndpoint('nats://h1:4222', '--from', none, { MLOPS_NATS_PASS: 'x' }), /no user/);
  assert.throws(() => natsEndpoint('nats://a:b@h1:4222', '--from', none, { MLOPS_NATS_TOKEN: 't' }), /given twice, in the --from URL and in MLOPS_NATS_TOKEN/);
  assert.throws(() => natsEndpoint('nats://h1:4222', '--from', { natsTlsCert: '/etc/hostname' }, {}), /go together/);
  assert.throws(() => natsEndpoint('nats://h1:4222', '--from', { natsTlsCa: '/nonexistent/ca.pem' }, {}), /--nats-tls-ca \/nonexistent\/ca\.pem cannot be read \(ENOENT\)/);
  assert.throws(() => natsEndpoint('nats://h1:4222', '--from', { natsCreds: '/etc/hostname' }, {}), /is not a NATS credentials file/);
});

test('the real CLI: an inconsistent NATS flag is a usage error, exit 2, before connecting', async () => {
  const dir = tempDir('mlops-fleet-authflags-');
  const c = startCli(dir, ['ingest', '--from', 'nats://127.0.0.1:1', '--nats-user', 'bob', '--db', join(dir, 's.db')], { MLOPS_NATS_PASS: '' });
  const { code, lines } = await refusal(c);
  assert.equal(code, 2, c.stderr());
  assert.deepEqual(lines, ['mlops-tui: NATS user "bob" needs its password in the environment variable MLOPS_NATS_PASS (never on the command line, where ps shows it)']);
});

/**
 * The NATS server is away for a while (issue 17): `ship` keeps reading into its
 * on-disk spool, says so, pauses reading at the spool's bound (the rest waits
 * in the log file), and once the server is back every line reaches the store
 * exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/tmp.js';
import { natsServerBinary, NO_NATS } from '../helpers/nats.js';
import { assertExactlyOnce, caughtUp, expected, readStore, startCli, startShippingNode, stop, waitFor } from '../helpers/fleet.js';

const skip = natsServerBinary() === null ? NO_NATS : false;

function spooled(shipDb: string): number {
  try {
    const db = new Database(shipDb, { readonly: true, fileMustExist: true });
    try { return (db.prepare('SELECT count(*) AS n FROM ship_spool').get() as { n: number }).n; } finally { db.close(); }
  } catch {
    return -1;
  }
}

test('ship spools while the server is down, says so, and delivers everything once it is back', { skip, timeout: 180_000 }, async () => {
  const dir = tempDir('mlops-fleet-outage-');
  const { nats, log, ship, shipDb, storeDb } = await startShippingNode(dir, { lines: 300, args: ['--spool-max', '1000'] });
  const node = nats.nodes[0];
  const ingest = startCli(dir, ['ingest', '--from', nats.urls, '--db', storeDb]);
  const kids = [ship, ingest];
  await waitFor(() => caughtUp(storeDb, expected([log])), 'the first lines in the store', 60_000, kids);

  await nats.kill(node);
  await waitFor(() => ship.stderr().includes('NATS unreachable'), 'ship to say the server is unreachable', 30_000, kids);
  // 2,500 lines while the server is away: more than the spool's bound of 1,000.
  for (let i = 0; i < 5; i++) log.write(499);
  await waitFor(() => ship.stderr().includes('spool full'), 'ship to say the spool is full', 30_000, kids);
  assert.match(ship.stderr(), /spooled on disk in .*ship\.db \(bound 1000\)/);
  const held = spooled(shipDb);
  assert.ok(held >= 1000 && held < 1000 + 600, `the spool holds its bound (one batch over at most), got ${held}`);
  assert.ok(readStore(storeDb)!.predictions < log.predictions.length, 'nothing new reached the store while the server was down');

  await nats.startNode(node);
  const want = expected([log]);
  await waitFor(() => caughtUp(storeDb, want), 'every line in the store after the server came back', 90_000, kids);
  await waitFor(() => spooled(shipDb) === 0, 'the spool to drain', 30_000, kids);
  assert.match(ship.stderr(), /NATS back/);
  assert.match(ship.stderr(), /reading resumed/);
  await stop(ingest);
  await stop(ship);

  assertExactlyOnce(readStore(storeDb)!, want);
});

test('ship --once publishes everything and exits 0; ingest --from and ship refuse bad flags in one sentence', { skip, timeout: 120_000 }, async () => {
  const dir = tempDir('mlops-fleet-once-');
  const { nats, logs, log, ship: once, shipDb, storeDb } = await startShippingNode(dir, { host: 'batch-1', lines: 400, args: ['--once'] });
  const { code } = await once.exited;
  assert.equal(code, 0, once.stderr());
  assert.match(once.stderr(), /shipped: read 481, shipped 481/);
  assert.equal(spooled(shipDb), 0);
  const ingest = startCli(dir, ['ingest', '--from', nats.urls, '--db', storeDb]);
  const want = expected([log]);
  await waitFor(() => caughtUp(storeDb, want), 'the shipped lines in the store', 60_000, [ingest]);
  await stop(ingest);
  assert.equal(readStore(storeDb)!.predictionSum, want.predictionSum);

  for (const [args, message] of [
    [['ship', '--watch', logs], /ship needs --nats/],
    [['ship', '--watch', logs, '--nats', 'http://x:4222'], /--nats: "http:\/\/x:4222" is not a nats:\/\/ or tls:\/\/ URL/],
    [['ship', '--watch', join(dir, 'nope'), '--nats', nats.urls], /the watched directory .*nope does not exist/],
    [['ship', '--watch', logs, '--nats', nats.urls, '--stream', 'a.b'], /--stream "a\.b" must be/],
    [['ingest', '--from', 'nats://', '--db', storeDb], /--from: "nats:\/\/" names no host|is not a URL/],
  ] as Array<[string[], RegExp]>) {
    const c = startCli(dir, args);
    const r = await c.exited;
    assert.equal(r.code, 2, `${args.join(' ')}: ${c.stderr()}`);
    assert.match(c.stderr(), message);
    assert.equal(c.stderr().trim().split('\n').length, 1, `one sentence: ${c.stderr()}`);
  }
});

/**
 * A standby ingest on the same durable consumer (issue 17): it waits while the
 * active one holds the lease, takes over within seconds when the active one is
 * kill -9'd mid-stream, and the store ends with every line exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/tmp.js';
import { natsServerBinary, NO_NATS } from '../helpers/nats.js';
import { assertExactlyOnce, caughtUp, expected, kill9, readStore, sleep, startCli, startShippingNode, stop, waitFor } from '../helpers/fleet.js';

const skip = natsServerBinary() === null ? NO_NATS : false;

test('a standby ingest takes over when the active one dies, nothing lost or duplicated', { skip, timeout: 180_000 }, async (t) => {
  const dir = tempDir('mlops-fleet-standby-');
  const { nats, log, ship, storeDb } = await startShippingNode(dir);
  const first = startCli(dir, ['ingest', '--from', nats.urls, '--db', storeDb]);
  await waitFor(() => first.stderr().includes('active:'), 'the first ingest to become active', 60_000, [first]);
  const second = startCli(dir, ['ingest', '--from', nats.urls, '--db', storeDb]);
  const kids = [ship, first, second];
  await waitFor(() => second.stderr().includes('standing by'), 'the second ingest to stand by', 60_000, kids);

  let writing = true;
  const writer = (async () => {
    while (writing) {
      log.write(100);
      await sleep(200);
    }
  })();
  await waitFor(() => (readStore(storeDb)?.predictions ?? 0) > 500, 'lines flowing through the first ingest', 60_000, kids);
  assert.ok(!second.stderr().includes('active:'), 'the standby does not read while the first holds the lease');

  await kill9(first);
  const killedAt = Date.now();
  await waitFor(() => second.stderr().includes('active:'), 'the standby to take over', 60_000, kids);
  const takeover = (Date.now() - killedAt) / 1000;
  t.diagnostic(`standby took over ${takeover.toFixed(1)} s after the active ingest was killed (lease TTL 3 s)`);
  const at = readStore(storeDb)!.predictions;
  await waitFor(() => readStore(storeDb)!.predictions > at + 200, 'lines flowing through the standby', 60_000, kids);

  writing = false;
  await writer;
  const want = expected([log]);
  await waitFor(() => caughtUp(storeDb, want), 'every line in the store', 60_000, kids);
  await stop(second);
  await stop(ship);
  assertExactlyOnce(readStore(storeDb)!, want);
  assert.match(second.stderr(), /redelivered/);
});

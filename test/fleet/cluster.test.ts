/**
 * The fleet under failure (issue 17): a 3-node JetStream cluster on loopback
 * (stream replicas 3), two `ship` processes on two hosts' log folders, one
 * `ingest --from`. While the hosts keep writing, one NATS node is SIGKILLed,
 * the ingest is kill -9'd and restarted, one shipper is kill -9'd and
 * restarted. Every line written is in the store exactly once (counts and a
 * checksum of the content), per host.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { tempDir } from '../helpers/tmp.js';
import { NatsCluster, natsServerBinary, NO_NATS } from '../helpers/nats.js';
import { HostLog, assertExactlyOnce, caughtUp, expected, kill9, readStore, sleep, startCli, stop, waitFor, type Child } from '../helpers/fleet.js';

const skip = natsServerBinary() === null ? NO_NATS : false;

test('3-node cluster, two shippers, one ingest: a node, the ingest and a shipper killed mid-stream; every line once', { skip, timeout: 240_000 }, async (t) => {
  const t0 = Date.now();
  const phase = (s: string): void => t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${s} (${readStore(storeDb)?.predictions ?? 0} predictions stored, ${hosts.reduce((n, h) => n + h.predictions.length, 0)} written)`);
  const dir = tempDir('mlops-fleet-cluster-');
  const nats = await NatsCluster.start(dir, 3);
  after(() => nats.stopAll());
  const hosts = ['web-a', 'web-b'].map((h) => {
    const d = join(dir, h);
    mkdirSync(d);
    return new HostLog(h, d);
  });
  const storeDb = join(dir, 'store.db');
  const shipArgs = (h: HostLog): string[] => ['ship', '--watch', h.dir, '--nats', nats.urls, '--db', join(dir, `${h.host}.ship.db`), '--host', h.host, '--replicas', '3'];
  const ships: Child[] = hosts.map((h) => startCli(dir, shipArgs(h)));
  let ingest = startCli(dir, ['ingest', '--from', nats.urls, '--db', storeDb]);
  const kids = (): Child[] => [...ships, ingest];

  await waitFor(() => ingest.stderr().includes('active:'), 'the ingest to become active', 90_000, kids());
  phase('ingest active');
  // The hosts write for the whole test, in rounds, whatever is being killed.
  let writing = true;
  const writer = (async () => {
    while (writing) {
      for (const h of hosts) h.write(60);
      await sleep(250);
    }
  })();
  const progressed = async (what: string): Promise<void> => {
    const before = readStore(storeDb)?.predictions ?? 0;
    await waitFor(() => (readStore(storeDb)?.predictions ?? 0) > before + 300, what, 90_000, kids());
  };

  await progressed('lines flowing into the store');
  phase('flowing');

  await nats.kill(nats.nodes[1]);
  await progressed('lines still flowing with one NATS node dead');
  phase('node n2 killed, still flowing');

  await kill9(ingest);
  await sleep(500);
  ingest = startCli(dir, ['ingest', '--from', nats.urls, '--db', storeDb]);
  await progressed('lines flowing after the ingest was killed and restarted');
  phase('ingest killed and restarted');

  await kill9(ships[0]);
  await sleep(500);
  ships[0] = startCli(dir, shipArgs(hosts[0]));
  await progressed('lines flowing after a shipper was killed and restarted');
  phase('shipper killed and restarted');

  writing = false;
  await writer;
  const want = expected(hosts);
  await waitFor(() => caughtUp(storeDb, want), 'every line written in the store', 90_000, kids());
  phase('caught up');

  // The stream really holds three copies (checked on the cluster, not taken from our own message).
  const nc = await connect({ servers: nats.nodes.filter((n) => n.proc !== null).map((n) => n.url) });
  const info = await (await jetstreamManager(nc)).streams.info('MLOPS');
  await nc.close();
  assert.equal(info.config.num_replicas, 3);

  await stop(ingest);
  for (const s of ships) await stop(s);
  assertExactlyOnce(readStore(storeDb)!, want);
});

/**
 * The console with `--from nats://…` (issue 17), on a real terminal (tmux): its
 * engine reads the fleet's stream into the store instead of watching files,
 * and the screen shows the shipped predictions; lines shipped while it is open
 * appear too. `--metrics` reports the consumer's backlog, and `H` filters the
 * screens on each serving host in turn through the real engine thread.
 */
import { test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { natsServerBinary, NO_NATS } from '../helpers/nats.js';
import { startTmux, tmuxMissing } from '../helpers/tmux.js';
import { HostLog, startCli, startShippingNode } from '../helpers/fleet.js';
import { freePort } from '../helpers/nats.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
const skip = natsServerBinary() === null ? NO_NATS : (tmuxMissing() ?? false);

test('the console with --from reads the fleet\'s stream', { skip, timeout: 180_000 }, async (t) => {
  const dir = tempDir('mlops-fleet-console-');
  const { nats, logs, log, ship: once, shipDb, storeDb } = await startShippingNode(dir, { lines: 300, args: ['--once'] });
  await once.exited;

  const s = startTmux({ cols: 160, rows: 40, cwd: dir });
  t.after(() => s.kill());
  const port = await freePort();
  s.run(`node ${BIN} --db ${storeDb} --watch ${join(dir, 'no-local-files')} --from ${nats.urls} --metrics ${port}`);
  await s.waitFor(/ 300 preds/, 60_000, 'the 300 shipped predictions counted in the header');
  // --metrics reports the durable consumer's backlog: nothing left once everything is in.
  const end = Date.now() + 30_000;
  let text = '';
  while (!/^mlops_ingest_nats_pending_messages 0$/m.test(text) || !/^mlops_ingest_nats_oldest_unacked_seconds 0$/m.test(text)) {
    if (Date.now() > end) throw new Error(`the console's metrics never showed an empty backlog:\n${text}`);
    await new Promise((r) => setTimeout(r, 250));
    text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
  }

  log.write(200);
  const more = startCli(dir, ['ship', '--watch', logs, '--nats', nats.urls, '--db', shipDb, '--host', 'web-1', '--once']);
  await more.exited;
  await s.waitFor(/ 500 preds/, 60_000, 'the lines shipped while the console is open');

  // A second serving host, then the host filter through the real engine thread: H selects
  // web-1 (the header names it with its own count), H again web-2, H again the whole fleet.
  const logs2 = join(dir, 'logs-2');
  mkdirSync(logs2);
  const log2 = new HostLog('web-2', logs2);
  log2.write(120);
  const other = startCli(dir, ['ship', '--watch', logs2, '--nats', nats.urls, '--db', join(dir, 'ship-2.db'), '--host', 'web-2', '--once']);
  await other.exited;
  await s.waitFor(/ 620 preds/, 60_000, 'the second host\'s lines');
  s.type('H');
  await s.waitFor(/HOST web-1 500 preds │ fleet: /, 30_000, 'the header filtered on web-1');
  await s.waitFor(/host web-1 · models and accuracy of this host/, 30_000, 'what the Overview shows for web-1');
  s.type('H');
  await s.waitFor(/HOST web-2 120 preds │ fleet: /, 30_000, 'the header filtered on web-2');
  s.type('H');
  await s.waitFor((sc) => !/HOST /.test(sc) && / 620 preds/.test(sc), 30_000, 'the whole fleet again');
  s.type('q');
  await s.exitCode(30_000);
});

/**
 * The console with `--from nats://…` (issue 17), on a real terminal (tmux): its
 * engine reads the fleet's stream into the store instead of watching files,
 * and the screen shows the shipped predictions; lines shipped while it is open
 * appear too.
 */
import { after, test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { NatsCluster, natsServerBinary, NO_NATS } from '../helpers/nats.js';
import { startTmux, tmuxMissing } from '../helpers/tmux.js';
import { HostLog, startCli } from '../helpers/fleet.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
const skip = natsServerBinary() === null ? NO_NATS : (tmuxMissing() ?? false);

test('the console with --from reads the fleet\'s stream', { skip, timeout: 180_000 }, async (t) => {
  const dir = tempDir('mlops-fleet-console-');
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const nats = await NatsCluster.start(dir, 1);
  after(() => nats.stopAll());
  const log = new HostLog('web-1', logs);
  log.write(300);
  const once = startCli(dir, ['ship', '--watch', logs, '--nats', nats.urls, '--db', join(dir, 'ship.db'), '--host', 'web-1', '--once']);
  await once.exited;

  const s = startTmux({ cols: 160, rows: 40, cwd: dir });
  t.after(() => s.kill());
  s.run(`node ${BIN} --db ${join(dir, 'store.db')} --watch ${join(dir, 'no-local-files')} --from ${nats.urls}`);
  await s.waitFor(/ 300 preds/, 60_000, 'the 300 shipped predictions counted in the header');

  log.write(200);
  const more = startCli(dir, ['ship', '--watch', logs, '--nats', nats.urls, '--db', join(dir, 'ship.db'), '--host', 'web-1', '--once']);
  await more.exited;
  await s.waitFor(/ 500 preds/, 60_000, 'the lines shipped while the console is open');
  s.type('q');
  await s.exitCode(30_000);
});

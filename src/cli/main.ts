#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { fail } from './context.js';
import { registerIngest } from './commands/ingest.js';
import { registerStatus } from './commands/status.js';
import { registerSnapshot } from './commands/snapshot.js';
import { registerTrain } from './commands/train.js';
import { registerDemo } from './commands/demo.js';
import { registerConsole } from './commands/consoleCmd.js';
import { registerReplay } from './commands/replay.js';
import { registerServe } from './commands/serve.js';
import { registerCompare } from './commands/compare.js';
import { registerPromote } from './commands/promote.js';
import { registerRollback } from './commands/rollback.js';
import { registerHistory } from './commands/history.js';
import { registerDrift } from './commands/drift.js';
import { registerRetrain } from './commands/retrain.js';
import { registerShip } from './commands/ship.js';
import { registerHosts } from './commands/hosts.js';
import { registerBackup } from './commands/backup.js';
import { registerCheck } from './commands/check.js';
import { registerQuality } from './commands/quality.js';
import { registerReference } from './commands/reference.js';
import { registerAlerts } from './commands/alerts.js';
import { PRIVATE_UMASK } from '../../store/privateFiles.js';

// Every file and directory a command creates (database, WAL, logs, backups, routing.json) is
// private to this account whatever umask the shell had; see store/privateFiles.ts.
process.umask(PRIVATE_UMASK);

const program = new Command('mlops-tui')
  .description('A terminal console for operating ML models in production: ingest prediction logs, watch drift, compare shadows, retrain, promote.')
  .version('0.1.0')
  .option('--db <path>', 'SQLite database file', undefined)
  .option('--config <path>', 'config file (default: ./mlops.config.json when present)')
  .option('--watch <dir>', 'directory of prediction logs (default: ./predictions)')
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError()
  .exitOverride();

registerIngest(program);
registerStatus(program);
registerSnapshot(program);
registerConsole(program);
registerDemo(program);
registerTrain(program);
registerReplay(program);
registerServe(program);
registerCompare(program);
registerPromote(program);
registerRollback(program);
registerHistory(program);
registerDrift(program);
registerRetrain(program);
registerShip(program);
registerBackup(program);
registerCheck(program);
registerHosts(program);
registerQuality(program);
registerReference(program);
registerAlerts(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  fail(err);
}

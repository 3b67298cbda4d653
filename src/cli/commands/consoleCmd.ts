import type { Command } from 'commander';
import { resolveConfig, type GlobalOptions } from '../context.js';

interface ConsoleCliOptions extends GlobalOptions {
  readOnly?: boolean;
}

export function registerConsole(program: Command): void {
  program.command('console', { isDefault: true })
    .description('Open the live console (the default command): ingest, drift, shadows, models, retrain, events')
    .option('--read-only', 'hide every action that changes the registry or starts a job')
    .addHelpText('after', '\nExamples:\n  mlops-tui --watch /var/log/predictions --db /var/lib/mlops/mlops.db\n  mlops-tui console --read-only')
    .action(async (_o: ConsoleCliOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ConsoleCliOptions>();
      const { openConsole } = await import('../openConsole.js');
      await openConsole(resolveConfig(opts), { readOnly: opts.readOnly === true });
      process.exit(process.exitCode ?? 0);
    });
}

import type { Command } from 'commander';
import { resolveConfig, withOps, type GlobalOptions } from '../context.js';
import { confirm, reportAfterSwitch } from './promote.js';

interface RollbackOptions extends GlobalOptions {
  yes?: boolean;
  json?: boolean;
}

export function registerRollback(program: Command): void {
  program.command('rollback')
    .description('Make the version that was active before the last switch active again (no gate: going back is always allowed)')
    .argument('[name]', 'only consider earlier active versions of this model name')
    .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', `
Examples:
  mlops-tui rollback
  mlops-tui rollback flights-logreg --yes`)
    .action(async (name: string | undefined, _o: RollbackOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<RollbackOptions>();
      const cfg = resolveConfig(opts);
      const { rollback, rollbackPlan } = await import('../../ops/switching.js');
      await withOps(cfg, {}, async (ctx) => {
        const plan = rollbackPlan(ctx, name);
        if (!opts.json) process.stdout.write(`rollback   ${plan.from ?? 'nothing'} → ${plan.to}\n`);
        if (!(await confirm(`Roll back to ${plan.to}?`, opts.yes, 'roll back'))) {
          process.stdout.write('not rolled back\n');
          return;
        }
        const out = await rollback(ctx, name);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
          if (out.routingError) process.stderr.write(`mlops-tui: warning: ${out.routingError}\n`);
          if (out.hook && !out.hook.ok) process.stderr.write(`mlops-tui: warning: ${out.hook.message}\n`);
          return;
        }
        process.stdout.write(`${out.changed ? 'rolled back ' : ''}${out.message}\n`);
        reportAfterSwitch(out);
      });
    });
}

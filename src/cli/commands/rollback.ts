import type { Command } from 'commander';
import { resolveConfig, type GlobalOptions } from '../context.js';
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
      const [{ openDb }, { currentOperator }, { activeModel, previousActive, refOf }, { rollback }] = await Promise.all([
        import('../../../store/db.js'), import('../../../store/audit.js'), import('../../../store/registry.js'), import('../../registry/switch.js'),
      ]);
      const db = openDb(cfg.db);
      try {
        const prev = previousActive(db, name);
        const active = activeModel(db);
        if (!prev) throw new Error(`no earlier active version${name ? ` of ${name}` : ''} to roll back to`);
        if (!opts.json) process.stdout.write(`rollback   ${active ? refOf(active) : 'nothing'} → ${refOf(prev)}\n`);
        if (!(await confirm(`Roll back to ${refOf(prev)}?`, opts.yes, 'roll back'))) {
          process.stdout.write('not rolled back\n');
          return;
        }
        const out = await rollback(db, name, cfg, { operator: currentOperator() });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
          if (out.routingError) process.stderr.write(`mlops-tui: warning: ${out.routingError}\n`);
          if (out.hook && !out.hook.ok) process.stderr.write(`mlops-tui: warning: ${out.hook.message}\n`);
          return;
        }
        process.stdout.write(`${out.changed ? 'rolled back ' : ''}${out.message}\n`);
        reportAfterSwitch(out);
      } finally {
        db.close();
      }
    });
}

import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import type { SwitchOutcome } from '../../registry/switch.js';
import { gateLines } from '../../core/gate.js';
import { resolveConfig, UsageError, withOps, type GlobalOptions } from '../context.js';

interface PromoteOptions extends GlobalOptions {
  force?: boolean;
  yes?: boolean;
  json?: boolean;
}

export function registerPromote(program: Command): void {
  program.command('promote')
    .description('Make NAME@VERSION the active model if the promotion gate passes on held-out labels (the old active version stays as a shadow)')
    .argument('<ref>', 'NAME@VERSION (NAME alone: its newest version)')
    .option('--force', 'promote even when the gate fails or refuses; audited as force-promote with the figures')
    .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', `
Each gate evaluation spends one of gate.evaluations from the budget of this candidate
against the active version; when it is spent, promotion waits for fresh labels.

Examples:
  mlops-tui promote flights-mlp@1
  mlops-tui promote flights-mlp@1 --yes --json | jq .gate
  mlops-tui promote flights-mlp@2 --force --yes`)
    .action(async (ref: string, _o: PromoteOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<PromoteOptions>();
      const cfg = resolveConfig(opts);
      const { gatePreview, promote } = await import('../../ops/switching.js');
      await withOps(cfg, {}, async (ctx) => {
        const preview = gatePreview(ctx, ref);
        if (!opts.json) {
          process.stdout.write(`promote    ${preview.target}${preview.active ? ` (active now: ${preview.active})` : ' (nothing is active yet)'}\n`);
          if (preview.figures) process.stdout.write(`${gateLines(preview).map((l) => l.text).join('\n')}\n`);
        }
        if (preview.status === 'already-active') {
          if (opts.json) process.stdout.write(`${JSON.stringify({ ...preview, changed: false, message: `${preview.target} is already active` }, null, 2)}\n`);
          else process.stdout.write(`${preview.target} is already active\n`);
          return;
        }
        const wouldSwitch = preview.figures === null || preview.figures.pass || opts.force === true;
        if (wouldSwitch) {
          const forced = preview.figures !== null && !preview.figures.pass;
          const ok = await confirm(`${forced ? 'Force-promote' : 'Promote'} ${preview.target}${preview.active ? ` over ${preview.active}` : ''}?`, opts.yes, 'promote');
          if (!ok) {
            process.stdout.write('not promoted\n');
            return;
          }
        } else if (!opts.yes && !(process.stdin.isTTY && process.stdout.isTTY)) {
          // An unattended run that spends gate budget must say so with --yes, like a switch.
          throw new UsageError('not on a terminal, so nothing was asked: pass --yes to evaluate the gate without confirmation');
        }
        const out = await promote(ctx, ref, { force: opts.force });
        if (opts.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        else if (out.changed) {
          process.stdout.write(`${out.action === 'force-promote' ? 'FORCED     ' : 'promoted   '}${out.message}\n`);
        }
        if (!opts.json) reportAfterSwitch(out);
        else {
          if (out.routingError) process.stderr.write(`mlops-tui: warning: ${out.routingError}\n`);
          if (out.hook && !out.hook.ok) process.stderr.write(`mlops-tui: warning: ${out.hook.message}\n`);
        }
        if (!out.changed && out.refusal) {
          process.stderr.write(`mlops-tui: ${out.target} was not promoted: ${out.refusal.replace(/^refused: /, '')}; --force overrides (audited)\n`);
          process.exitCode = 1;
        } else if (!out.changed && !opts.json) {
          process.stdout.write(`${out.message}\n`);
        }
      });
    });
}

/*
 * Shared with rollback: the confirmation rule (ask on a terminal, refuse without one unless
 * --yes, because an unattended switch must be asked for explicitly) and the printing of gate
 * figures and after-switch warnings.
 */
export async function confirm(question: string, yes: boolean | undefined, what: string): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError(`not on a terminal, so nothing was asked: pass --yes to ${what} without confirmation`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Warnings from routing.json and the hook go to stderr: the switch itself stands. */
export function reportAfterSwitch(o: SwitchOutcome): void {
  if (o.routing) process.stdout.write(`routing    ${o.routing.path} (active ${o.routing.routing.active}, shadows ${o.routing.routing.shadows.join(', ') || 'none'})\n`);
  if (o.routingError) process.stderr.write(`mlops-tui: warning: ${o.routingError}\n`);
  if (o.hook) {
    if (o.hook.ok) process.stdout.write(`hook       ${o.hook.message}\n`);
    else process.stderr.write(`mlops-tui: warning: ${o.hook.message}\n`);
  }
}

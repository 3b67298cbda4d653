/**
 * `mlops-tui snapshot`: the console without a terminal. Runs the engine over the database once
 * (no ingest, no jobs) and prints the snapshot each screen draws, so scripts and tests read
 * every figure the console shows. The engine, Ink and the store load inside the action.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolveConfig, UsageError, type GlobalOptions } from '../context.js';

interface SnapshotOptions extends GlobalOptions {
  json?: boolean;
  lookback?: string;
}

export function registerSnapshot(program: Command): void {
  program.command('snapshot')
    .description('Run the engine over the database once and print what each console screen shows (traffic, drift, shadow pairs, alerts, jobs, events)')
    .option('--json', 'print the whole snapshot as JSON (the console\'s contract, src/engine/snapshot.ts)')
    .option('--lookback <rows>', 'rows of history the engine reads back, as the console does at start', '500000')
    .addHelpText('after', `
The shadow pairs carry the same agreement, accuracy difference, interval and McNemar p as
\`mlops-tui compare\` for the same database (one pipeline).

Examples:
  mlops-tui snapshot --json | jq '.pairs[0] | {candidate, diff, ci, pValue}'
  mlops-tui snapshot`)
    .action(async (_o: SnapshotOptions, cmd: Command) => {
      // Loaded here, not at the top: it measures widths with string-width, whose Intl.Segmenter costs --help about 20 ms.
      const { sanitize } = await import('../../util/sanitize.js');
      const opts = cmd.optsWithGlobals<SnapshotOptions>();
      const lookback = Number(opts.lookback);
      if (!(Number.isInteger(lookback) && lookback > 0)) throw new UsageError(`--lookback must be a positive integer, not "${opts.lookback}"`);
      const cfg = resolveConfig(opts);
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: run \`mlops-tui ingest\` first or pass --db`);
      const { headlessSnapshot } = await import('../../ops/snapshot.js');
      const s = await headlessSnapshot(cfg, { lookback });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
        return;
      }
      const pct = (v: number | null): string => (v === null ? '—' : `${(100 * v).toFixed(2)}%`);
      const lines = [
        `database   ${s.db}: ${s.ingest.predictions} predictions, ${s.ingest.labels} labels, ${s.ingest.quarantined} quarantined`,
        `alerts     ${s.alerts.length} open`,
        'traffic',
        ...s.traffic.map((t) => `  ${t.model.padEnd(24)} ${t.alias.padEnd(7)} ${t.predictions} predictions, ${t.labelled} labelled, accuracy ${pct(t.accuracy)} (CBPE ${pct(t.estAccuracy)})`),
        `drift      ${s.drift.window}: ${s.drift.features.filter((f) => f.level === 'drift').length} of ${s.drift.features.length} features drifted`,
        'shadow',
        ...s.pairs.map((p) => `  ${p.candidate} vs ${p.active}: agreement ${pct(p.agreement)}, Δ accuracy ${p.diff === null ? '—' : `${(100 * p.diff).toFixed(2)} pts`}, McNemar p ${p.pValue === null ? '—' : p.pValue.toPrecision(3)}, ${p.verdict}`),
      ];
      // Model and feature names came from logs: no escape sequence reaches the terminal.
      process.stdout.write(`${lines.map((l) => sanitize(l)).join('\n')}\n`);
    });
}

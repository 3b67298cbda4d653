import { formatMinute } from '../../core/time.js';
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import type { ModelFigures, StorePairComparison } from '../../compare/fromStore.js';
import { gateLines, type GateReport } from '../../core/gate.js';
import { resolveConfig, UsageError, withOps, type GlobalOptions } from '../context.js';

interface CompareOptions extends GlobalOptions {
  json?: boolean;
  since?: string;
  midP?: boolean;
  alpha: string;
}

const num = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const time = (t: number | null): string => (t === null ? '—' : formatMinute(t));

/** Tiny p-values underflow to 0 as doubles; their log still says how small they are. */
function pValue(p: number, logP: number): string {
  if (p > 0) return `= ${p.toPrecision(3)}`;
  return `≈ 1e${Math.round(logP / Math.LN10)}`;
}

function modelRow(label: string, m: ModelFigures): string {
  const e = m.estimated;
  return [
    `  ${label.padEnd(24)}`,
    num(m.accuracy).padStart(8),
    num(m.logLoss).padStart(9),
    num(m.auc).padStart(7),
    `${num(e?.accuracy)} / ${num(e?.accuracyOnLabelled)}`.padStart(20),
    num(e?.auc ?? null).padStart(9),
  ].join(' ');
}

function pairText(p: StorePairComparison, gate: GateReport | null): string {
  const lines = [
    `${p.candidate} vs ${p.baseline}${gate ? ' (active)' : ''}: ${p.n} paired requests, ${p.labelled} labelled${p.since !== null ? ` since ${time(p.since)}` : ''} (${p.elapsedMs} ms)`,
    `  agreement ${num(p.agreementRate * 100, 2)}%, mean |Δscore| ${num(p.meanAbsScoreDifference)}`,
    `  ${''.padEnd(24)} ${'accuracy'.padStart(8)} ${'log loss'.padStart(9)} ${'AUC'.padStart(7)} ${'CBPE acc all / lab'.padStart(20)} ${'CBPE AUC'.padStart(9)}`,
    modelRow(p.candidate, p.models.candidate),
    modelRow(p.baseline, p.models.baseline),
  ];
  if (p.difference && p.mcnemar) {
    const d = p.difference;
    lines.push(`  accuracy difference ${d.difference >= 0 ? '+' : ''}${num(d.difference)} [${num(d.lower)}, ${num(d.upper)}] (${Math.round(d.level * 100)}%), McNemar ${p.mcnemar.midP ? 'mid-p' : 'exact p'} ${pValue(p.mcnemar.pValue, p.mcnemar.logPValue)} (only ${p.candidate} right ${p.discordant.b}, only ${p.baseline} right ${p.discordant.c})`);
    lines.push(`  verdict: ${p.candidate} is ${p.verdict === 'no significant difference' ? 'not significantly different from' : `${p.verdict} than`} ${p.baseline}`);
  } else {
    lines.push('  no labels yet: only the CBPE estimates speak to accuracy');
  }
  for (const m of [p.models.candidate, p.models.baseline]) {
    const ref = m.estimated?.reference;
    const what = ref?.source === 'training-holdout' ? 'its held-out rows from training' : 'the pinned reference period';
    if (ref) lines.push(`  CBPE of ${m.ref} calibrated on ${what} (${ref.rows} rows, ${time(ref.from)} … ${time(ref.until)})`);
    else lines.push(`  CBPE of ${m.ref}: no reference (pin one: mlops-tui reference set ${m.ref} --from T --until T)`);
  }
  if (gate) lines.push(...gateLines(gate).map((l) => `  ${l.text}`));
  return lines.join('\n');
}

export function registerCompare(program: Command): void {
  program.command('compare')
    .description('Compare each shadow with the active model on the requests both scored: agreement, accuracy, log loss, AUC, paired difference, McNemar verdict, CBPE estimates, and the promotion gate')
    .argument('[a]', 'compare this version (NAME@VERSION) ...')
    .argument('[b]', '... with this one instead of the serving pairs')
    .option('--json', 'print JSON')
    .option('--since <time>', 'only requests since an ISO time, or within a duration (e.g. 6h) before the newest prediction')
    .option('--mid-p', 'McNemar mid-p instead of the exact p-value')
    .option('--alpha <level>', 'significance level of the verdict', '0.05')
    .addHelpText('after', `
Examples:
  mlops-tui compare
  mlops-tui compare --since 24h --json | jq '.[0].verdict'
  mlops-tui compare flights-mlp@1 flights-logreg@1`)
    .action(async (a: string | undefined, b: string | undefined, _o: CompareOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<CompareOptions>();
      const alpha = Number(opts.alpha);
      if (!(alpha > 0 && alpha < 1)) throw new UsageError('--alpha must be between 0 and 1');
      if ((a === undefined) !== (b === undefined)) throw new UsageError('give two versions to compare, or none for the serving pairs');
      const cfg = resolveConfig(opts);
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: run \`mlops-tui ingest\` first or pass --db`);
      const { compare } = await import('../../ops/compare.js');
      await withOps(cfg, { readonly: true }, (ctx) => {
        const results = compare(ctx, { a, b, since: opts.since, alpha, midP: opts.midP });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(results.map((r) => ({ ...r.comparison, gate: r.gate?.figures ?? null })), null, 2)}\n`);
          return;
        }
        if (results.length === 0) {
          process.stdout.write('nothing to compare: no shadow version serves beside the active one (train another model, or name two versions)\n');
          return;
        }
        process.stdout.write(`${results.map((r) => pairText(r.comparison, r.gate)).join('\n\n')}\n`);
      });
    });
}

/**
 * `mlops-tui quality`: data-quality rules, violations, what they cost and what cleaning buys.
 * Flags are parsed here; the work is in src/quality (loaded lazily: the report re-scores rows
 * with tfjs, and `--help` must stay fast).
 */
import { formatDay, requireTime } from '../../core/time.js';
import type { Command } from 'commander';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveConfig, UsageError, type GlobalOptions } from '../context.js';
import { DEFAULT_CONFIG, parseConfig } from '../../config.js';

interface QualityOptions extends GlobalOptions {
  json?: boolean;
  model?: string;
  since?: string;
  until?: string;
  draws?: string;
}

interface RulesOptions extends GlobalOptions {
  from: string;
}

interface ExportOptions extends QualityOptions {
  feature?: string;
  top: string;
}

const CONFIG_DEFAULT = 'mlops.config.json';

function time(name: string, v: string | undefined): number | null {
  return v === undefined ? null : requireTime(v, `--${name}`, (m) => new UsageError(m));
}

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, not "${v}"`);
  return n;
}

const fmt = (v: number | null | undefined, d = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
const signed = (v: number | null | undefined, d = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(d)}`);
const ci = (c: [number, number] | null | undefined): string => (c ? `[${signed(c[0])}, ${signed(c[1])}]` : '');

function scope(opts: QualityOptions): { since: number | null; until: number | null; model: string | null; draws: number } {
  return { since: time('since', opts.since), until: time('until', opts.until), model: opts.model ?? null, draws: positiveInt('draws', opts.draws, 5) };
}

async function openForQuality(opts: GlobalOptions) {
  const cfg = resolveConfig(opts);
  if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: run \`mlops-tui ingest\` first or pass --db`);
  const { openDb } = await import('../../../store/db.js');
  // writable: the report first brings the violation counts up to date
  return { cfg, db: openDb(cfg.db) };
}

export function registerQuality(program: Command): void {
  const quality = program.command('quality')
    .description('Data quality: violations of the rules per feature, what they cost each model, what cleaning would buy (ranked)')
    .option('--json', 'print JSON (`features` in rank order, each with feature, violations, cost and gain)')
    .option('--model <ref>', 'model to analyse (NAME@V; default: the active model)')
    .option('--since <time>', 'only predictions from this time (ISO 8601)')
    .option('--until <time>', 'only predictions before this time (ISO 8601)')
    .option('--draws <n>', 'draws from the reference per violating row when re-scoring', '5')
    .addHelpText('after', `
Rules come from the config's "quality.rules" (write them with \`quality rules --from MODEL@V\`),
else from the active model's training data. Violating rows are kept and flagged at ingest.

Examples:
  mlops-tui quality rules --from flights@1 --config mlops.config.json
  mlops-tui quality --json | jq '.features[0]'
  mlops-tui quality export --feature hour --top 100 > to-fix.jsonl`)
    .action(async (_o: QualityOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<QualityOptions>();
      const s = scope(opts);
      const { cfg, db } = await openForQuality(opts);
      try {
        const { qualityReport } = await import('../../quality/report.js');
        const report = await qualityReport(db, cfg, s);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          return;
        }
        const lines = [
          `${report.model}: ${report.rows} predictions, ${report.labelled} labelled, accuracy ${fmt(report.accuracy)}, CBPE estimate on unlabelled ${fmt(report.estimatedAccuracy)}`,
          `rules: ${report.rules.features} features, from ${report.rules.source}`,
          '',
          `${'rank'.padEnd(5)}${'feature'.padEnd(16)}${'violating'.padStart(10)}${'share'.padStart(8)}${'importance'.padStart(11)}  cost (accuracy lost)            gain if cleaned (95%)`,
          ...report.features.map((f, i) => `${String(i + 1).padEnd(5)}${f.feature.padEnd(16)}${String(f.violations.rows).padStart(10)}${fmt(f.violations.share, 3).padStart(8)}${fmt(f.importance).padStart(11)}  `
            + `${signed(f.cost.realised?.cost ?? f.cost.estimated?.cost)} ${ci(f.cost.realised?.costCi ?? f.cost.estimated?.costCi)}`.padEnd(32)
            + `${signed(f.gain.value)} ${ci(f.gain.ci)}${f.gain.basis === 'cbpe' ? ' (CBPE)' : ''}`),
        ];
        if (report.drift.features.length > 0) {
          lines.push('', `drift of the last window (${formatDay(report.drift.window!)}), ranked by importance × effect (PSI)`,
            ...report.drift.features.map((d) => `  ${d.feature.padEnd(16)} ${d.level.padEnd(6)} PSI ${fmt(d.effect, 3)}  importance ${fmt(d.importance)}  weighted ${fmt(d.weighted)}`));
        }
        for (const m of report.models) {
          lines.push('', `${m.model}: ${m.rows} predictions, ${m.labelled} labelled`,
            ...m.features.filter((f) => f.violations > 0).map((f) => `  ${f.feature.padEnd(16)} ${String(f.violations).padStart(8)} violating, cost ${signed(f.cost?.cost)} ${ci(f.cost?.costCi)}`));
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        db.close();
      }
    });

  quality.command('rules')
    .description('Infer quality rules from a model\'s training data and write them into the config file (created if missing)')
    .requiredOption('--from <ref>', 'the model whose training data is the reference (NAME@V)')
    .addHelpText('after', '\nThe rules land under "quality.rules" of the file --config names (default ./mlops.config.json), where you edit them.\n\nExample:\n  mlops-tui quality rules --from flights@1 --config mlops.config.json')
    .action(async (_o: RulesOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<RulesOptions>();
      const path = opts.config ?? CONFIG_DEFAULT;
      let raw: Record<string, unknown> = {};
      if (existsSync(path)) {
        const text = readFileSync(path, 'utf8');
        parseConfig(text, path); // refuse to rewrite a config that is already wrong
        raw = JSON.parse(text) as Record<string, unknown>;
      }
      const dbPath = opts.db ?? (typeof raw.db === 'string' ? raw.db : DEFAULT_CONFIG.db);
      if (!existsSync(dbPath)) throw new Error(`no database at ${dbPath}: pass --db`);
      const { openDb } = await import('../../../store/db.js');
      const { modelReference, rulesFromModel } = await import('../../quality/reference.js');
      const db = openDb(dbPath, { readonly: true });
      let ref;
      try {
        ref = modelReference(db, opts.from);
      } finally {
        db.close();
      }
      const rules = rulesFromModel(ref);
      const quality = (raw.quality !== null && typeof raw.quality === 'object' ? raw.quality : {}) as Record<string, unknown>;
      raw.quality = { ...quality, reference: ref.ref, rules };
      const text = `${JSON.stringify(raw, null, 2)}\n`;
      parseConfig(text, path);
      const tmp = `${resolve(path)}.tmp-${process.pid}`;
      writeFileSync(tmp, text);
      renameSync(tmp, path);
      process.stdout.write(`wrote ${Object.keys(rules).length} rules inferred from ${ref.ref} (${ref.meta.trainedOn.rows} training rows) into ${path}\n`);
    });

  quality.command('export')
    .description('The violating rows to fix first, ranked ActiveClean-style by how much cleaning each moves the model\'s loss (JSON lines)')
    .option('--feature <name>', 'only rows violating this feature\'s rule (default: any rule)')
    .option('--top <n>', 'rows to print', '100')
    .option('--model <ref>', 'model whose loss ranks the rows (NAME@V; default: the active model)')
    .option('--since <time>', 'only predictions from this time (ISO 8601)')
    .option('--until <time>', 'only predictions before this time (ISO 8601)')
    .option('--draws <n>', 'draws from the reference per row when re-scoring', '5')
    .addHelpText('after', '\nExample:\n  mlops-tui quality export --feature hour --top 100 > to-fix.jsonl')
    .action(async (_o: ExportOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ExportOptions>();
      const s = scope(opts);
      const top = positiveInt('top', opts.top, 100);
      const { cfg, db } = await openForQuality(opts);
      try {
        const { exportRows } = await import('../../quality/report.js');
        const rows = await exportRows(db, cfg, { ...s, feature: opts.feature ?? null, top });
        process.stdout.write(rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
        process.stderr.write(`${rows.length} rows${opts.feature ? ` violating "${opts.feature}"` : ''}, highest priority first\n`);
      } finally {
        db.close();
      }
    });
}

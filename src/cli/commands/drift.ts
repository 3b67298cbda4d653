import type { Command } from 'commander';
import { ConfigError } from '../../config.js';
import type { OfflineDriftReport, OfflineFeatureResult } from '../../offline/offline.js';
import { resolveConfig, UsageError, type GlobalOptions } from '../context.js';

interface DriftOptions extends GlobalOptions {
  reference: string;
  current: string;
  json?: boolean;
  features?: string;
  share?: string;
  model?: string;
}

/** New/vanished category lists can be as long as an ID column; JSON keeps this many (and the counts). */
export const MAX_LISTED_CATEGORIES = 100;

function parseShare(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const s = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(s) || s <= 0 || s > 1) throw new UsageError(`--share must be a number in (0, 1], got "${raw}"`);
  return s;
}

function parseFeatures(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError('--features must name at least one feature, e.g. --features hour,origin');
  return names;
}

function num(x: number | null, digits = 4): string {
  if (x === null) return '-';
  if (Number.isNaN(x)) return 'n/a';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e6) return x.toExponential(2);
  return Number(x.toPrecision(digits)).toString();
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.001 ? 2 : 1)}%`;
}

function listCats(xs: readonly string[], max = 3): string {
  if (xs.length === 0) return '';
  const shown = xs.slice(0, max).join(' ');
  return xs.length > max ? `${shown} +${xs.length - max}` : shown;
}

function table(head: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

// Strings from the data files go to the terminal: drop control characters (escape sequences).
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

export function formatReport(r: OfflineDriftReport): string {
  const rows = r.features.map((f: OfflineFeatureResult) => [
    clean(f.feature) + (f.note ? ' *' : ''),
    f.kind,
    f.method,
    num(f.statistic),
    num(f.pValue, 3),
    num(f.threshold),
    f.level,
    num(f.psi),
    `${pct(f.missingRate.reference)}→${pct(f.missingRate.current)}${f.missingRate.level === 'ok' ? '' : ` (${f.missingRate.level})`}`,
    clean(listCats(f.newCategories)),
    clean(listCats(f.vanishedCategories)),
  ]);
  const sampled = (exact: boolean): string => (exact ? '' : '; numerics sampled past the exact-profile budget');
  const out = [
    `reference  ${clean(r.reference.path)}  ${r.reference.rows} rows (${r.reference.format}${sampled(r.reference.exact)})`,
    `current    ${clean(r.current.path)}  ${r.current.rows} rows (${r.current.format}${sampled(r.current.exact)})`,
    '',
    table(
      ['feature', 'kind', 'method', 'statistic', 'p-value', 'threshold', 'level', 'PSI', 'missing ref→cur', 'new', 'vanished'],
      rows,
      new Set([3, 4, 5, 7]),
    ),
  ];
  const notes = [...new Set(r.features.flatMap((f) => (f.note ? [f.note] : [])))];
  if (notes.length > 0) out.push('', ...notes.map((n) => `* ${n}`));
  if (r.onlyInReference.length > 0) out.push('', `only in the reference (not compared): ${clean(r.onlyInReference.join(', '))}`);
  if (r.onlyInCurrent.length > 0) out.push(`only in the current (not compared): ${clean(r.onlyInCurrent.join(', '))}`);
  const d = r.dataset;
  const n = r.features.length;
  out.push(
    '',
    `dataset drift: ${d.drifted ? 'YES' : 'no'} — ${d.driftedColumns.length} of ${n} columns drifted (${pct(d.share)}, threshold ${pct(d.threshold)})` +
      (d.driftedColumns.length > 0 ? `: ${clean(d.driftedColumns.join(', '))}` : ''),
  );
  return `${out.join('\n')}\n`;
}

export function reportJson(r: OfflineDriftReport): unknown {
  return {
    reference: r.reference,
    current: r.current,
    dataset: r.dataset,
    features: r.features.map((f) => ({
      feature: f.feature,
      kind: f.kind,
      method: f.method,
      statistic: f.statistic,
      pValue: f.pValue,
      threshold: f.threshold,
      level: f.level,
      psi: f.psi,
      missingRate: f.missingRate,
      newCategories: f.newCategories.slice(0, MAX_LISTED_CATEGORIES),
      newCategoryCount: f.newCategories.length,
      vanishedCategories: f.vanishedCategories.slice(0, MAX_LISTED_CATEGORIES),
      vanishedCategoryCount: f.vanishedCategories.length,
      nReference: f.nReference,
      nCurrent: f.nCurrent,
      note: f.note,
    })),
    onlyInReference: r.onlyInReference,
    onlyInCurrent: r.onlyInCurrent,
    timings: r.timings,
  };
}

export function registerDrift(program: Command): void {
  program.command('drift')
    .description('Compare a current data file with a reference offline, per feature and as a dataset; exit 1 when the dataset drifted (a CI gate)')
    .requiredOption('--reference <file>', 'reference data: .csv/.csv.gz, or .jsonl/.jsonl.gz (prediction-log lines or one JSON object per line)')
    .requiredOption('--current <file>', 'current data, same formats')
    .option('--json', 'print JSON: per feature the method, statistic, p-value, threshold and level, and the dataset verdict')
    .option('--features <a,b,...>', 'only these features (default: every column of the reference also in the current file)')
    .option('--share <x>', 'dataset drift when at least this share of compared features drifts (default: config drift.datasetShare, 0.5)')
    .option('--model <name>', 'prediction logs: only prediction lines of this model (shadow traffic repeats each request per model)')
    .addHelpText('after', `
Exit codes: 0 no dataset drift, 1 dataset drift, 2 bad input (missing or unparseable file, unknown feature,
bad flag or config) or no verdict.

Method per feature (Evidently's defaults): up to 1,000 reference values, KS (numeric), chi-squared
or a proportion Z-test (categorical), drift at p < 0.05; above, normalised Wasserstein (numeric) and
Jensen-Shannon (categorical), drift at distance >= 0.1. Levels ok / warn / drift. Override per
feature in mlops.config.json: {"drift": {"perFeature": {"hour": {"method": "psi", "threshold": 0.2}}}}.
Schema: numeric when every reference value parses as a number, else categorical; pin kinds with
"features": {"zip": "categorical"}. Calendar features ("drift": {"calendar": ["day_of_week"]}) are
compared with the reference rows of the same periods (a one-day file against that weekday).

Examples:
  mlops-tui drift --reference train.csv.gz --current today.jsonl
  mlops-tui drift --reference train.jsonl --current today.jsonl --json --features hour,origin > drift.json`)
    .action(async (_o: DriftOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<DriftOptions>();
      let cfg;
      try {
        cfg = resolveConfig(opts);
      } catch (err) {
        // A broken config is bad input (exit 2), not a drift verdict (exit 1).
        if (err instanceof ConfigError) throw new UsageError(err.message);
        throw err;
      }
      const share = parseShare(opts.share, cfg.drift.datasetShare);
      const features = parseFeatures(opts.features);
      const { DriftInputError, offlineDrift, TableInputError } = await import('../../offline/offline.js');
      let report: OfflineDriftReport;
      try {
        report = await offlineDrift(opts.reference, opts.current, {
          features,
          share,
          pinned: cfg.features,
          perFeature: cfg.drift.perFeature,
          calendar: cfg.drift.calendar,
          model: opts.model,
        });
      } catch (err) {
        if (err instanceof TableInputError || err instanceof DriftInputError) throw new UsageError(err.message);
        // Exit 1 means "drifted" to a CI gate; a failure that is not about the input must not read
        // as a verdict either way, so it also exits 2.
        throw new UsageError(`drift could not be computed: ${err instanceof Error ? err.message : String(err)}`);
      }
      process.stdout.write(opts.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : formatReport(report));
      // exitCode rather than exit(): stdout may be a pipe that has not drained yet.
      if (report.dataset.drifted) process.exitCode = 1;
    });
}

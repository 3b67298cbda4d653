// Offline drift between two files (the `drift` command): reference and current are CSV or JSON
// Lines, compared column by column with the same profiles, methods and levels as the live
// windows, plus the dataset verdict.
//
// Missing values (values.ts: '', NA, N/A, NaN, inf, null...) never decide a column's kind.
//
// Memory: each file is profiled exactly while its numeric values fit a budget (EXACT_VALUE_BUDGET,
// 128 MB as Float64Arrays; never row objects). A current file of PARALLEL_MIN_BYTES or more is
// scanned in a worker while the reference is profiled (both within their budgets at once,
// about 550 MB RSS for two 10^6-row files against 330 MB one after the other); a smaller one
// after the reference's values are dropped. Beyond the budget the columns continue in accumulators (exact moments, PSI bins and
// low-cardinality value counts, a 5,000-value reservoir for KS and Wasserstein; the current's
// binned on the reference's edges, the reference's on the deciles of what it had read), so
// files of any size take bounded memory.
// Exact matters: KS on two 5,000-value samples is off by up to ~0.02, which at 10^6 rows is
// enough for a p-value to call drift on identical distributions.
//
// Schema: a column is numeric when every non-missing reference value is a number or a string
// that parses as one, else categorical (booleans are categorical); cfg.features pins override.
// The kind is decided from the first non-missing value; a column that later turns out to hold
// text is re-read from the reference as categorical, since its earlier values' spelling
// ("02134" vs 2134) was not kept.
import { statSync } from 'node:fs';
import { restrictToCurrentPeriods, CALENDAR_NOTE } from '../drift/calendar.js';
import { CategoryCounter } from '../drift/categoryCounter.js';
import { DatasetAccumulator, NumericAccumulator } from '../drift/accumulators.js';
import { compareDatasets, DEFAULT_THRESHOLDS, type ColumnDriftResult, type CompareOptions, type DriftMethod } from '../drift/columnDrift.js';
import { datasetDrift, type DatasetDriftResult } from '../drift/datasetDrift.js';
import type { CategoricalProfile, ColumnKind, ColumnProfile, DatasetProfile, FeatureSchema } from '../drift/profile.js';
import { numericProfileFromSorted, GrowableFloats } from '../drift/profile.js';
import { radixSortFloat64 } from '../drift/radixSort.js';
import { driftMethodList, NUMERIC_ONLY_METHODS, parseDriftMethod } from '../drift/methods.js';
import { hashString } from '../util/random.js';
import { startModuleWorker } from '../util/moduleWorker.js';
import { decileEdges } from '../drift/bins.js';
import { scanTable, type TableColumns, type TableFormat, type TableScanOptions } from './tableReader.js';
import { isMissing, missingValues, toNumber } from '../core/values.js';

export { TableInputError } from './tableReader.js';

/** A request that cannot be answered: unknown feature, bad override, no common columns. */
export class DriftInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriftInputError';
  }
}

export interface OfflineDriftOptions {
  /** Only these features (each must be in both files). */
  features?: string[];
  /** Pinned kinds (cfg.features). */
  pinned?: Readonly<Record<string, ColumnKind>>;
  /** Per-feature method and threshold (cfg.drift.perFeature), validated here. */
  perFeature?: Readonly<Record<string, { method?: string; threshold?: number }>>;
  /** Dataset drift when this share of compared columns drifts (cfg.drift.datasetShare). */
  share?: number;
  /** Calendar features (cfg.drift.calendar), compared with the reference rows of the same periods. */
  calendar?: readonly string[];
  /** JSONL prediction logs: only this model's prediction lines. */
  model?: string;
  /** Reservoir size of the current side's numeric columns past the exact budget (default 5,000). */
  sampleSize?: number;
  /** Numeric values of each file profiled exactly before switching to reservoirs (default EXACT_VALUE_BUDGET). */
  exactValues?: number;
  /** Scan the current file in a worker while the reference is profiled (default: when it has PARALLEL_MIN_BYTES). */
  parallel?: boolean;
  seed?: number;
}

export interface OfflineFeatureResult extends ColumnDriftResult {
  /** Why this column was compared differently (calendar feature), else null. */
  note: string | null;
}

export interface OfflineDriftReport {
  /** exact: false when the reference outgrew the exact budget and its numerics were sampled. */
  reference: { path: string; format: TableFormat; rows: number; exact: boolean };
  /** exact: false when the current file outgrew the exact budget and its numerics were sampled. */
  current: { path: string; format: TableFormat; rows: number; exact: boolean };
  schema: FeatureSchema;
  features: OfflineFeatureResult[];
  /** Selected reference columns absent from the current file, and current columns not in the reference. */
  onlyInReference: string[];
  onlyInCurrent: string[];
  dataset: DatasetDriftResult & { threshold: number };
  /** currentMs is the wait after the reference when the current file was scanned in parallel. */
  timings: { referenceMs: number; currentMs: number; compareMs: number; parallel: boolean };
}

/** Numeric values each side keeps for an exact profile (8 bytes each): 128 MB per file. */
export const EXACT_VALUE_BUDGET = 16 * 1024 * 1024;



/** A number for schema inference: JSON numbers and numeric strings, not booleans. */
function inferredNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return toNumber(v);
  return null;
}

class ReferenceColumn {
  kind: ColumnKind | 'undecided';
  nums: GrowableFloats | null = null;
  /** Set once the reference outgrew the exact budget (see spill()). */
  acc: NumericAccumulator | null = null;
  cats: CategoryCounter | null = null;
  nonMissing = 0;
  /** Numbers first, text later: its categories must be counted in a second pass. */
  reread = false;

  constructor(
    readonly name: string,
    readonly pinned: ColumnKind | undefined,
  ) {
    this.kind = pinned ?? 'undecided';
    if (this.kind === 'numeric') this.nums = new GrowableFloats();
    if (this.kind === 'categorical') this.cats = new CategoryCounter();
  }

  /** The hot path: a value that is already a finite number, for a numeric column. */
  addNumber(x: number): void {
    if (this.acc === null) this.nums!.push(x);
    else this.acc.add(x);
    this.nonMissing++;
  }

  kept(): number {
    return this.nums === null ? 0 : this.nums.length;
  }

  /**
   * Past the budget: PSI edges from the deciles of the values so far (any edges serve PSI, as
   * both sides are binned on them; a shuffled file gives near-exact deciles), then a seeded
   * accumulator that has seen those values in file order and takes the rest.
   */
  spill(seed: number): void {
    if (this.nums === null || this.kind !== 'numeric') return;
    const values = this.nums.buf.subarray(0, this.nums.length);
    const edges = decileEdges(radixSortFloat64(Float64Array.from(values)));
    this.acc = new NumericAccumulator(edges, { seed: (hashString(this.name) ^ seed) >>> 0 });
    for (let i = 0; i < values.length; i++) this.acc.add(values[i]);
    this.nums = null;
  }

  add(v: unknown): void {
    if (this.cats !== null) {
      if (!this.reread) this.cats.add(v);
      return;
    }
    if (isMissing(v)) return;
    if (this.kind === 'numeric') {
      const x = this.pinned ? toNumber(v) : inferredNumber(v);
      if (x !== null) {
        this.addNumber(x);
        return;
      }
      // A pinned numeric column treats text as missing, as the live accumulators do.
      if (this.pinned) return;
      this.kind = 'categorical';
      this.nums = null;
      this.acc = null;
      this.cats = new CategoryCounter();
      this.reread = true;
      return;
    }
    // Undecided: the first non-missing value decides.
    const x = inferredNumber(v);
    if (x !== null) {
      this.kind = 'numeric';
      this.nums = new GrowableFloats();
      this.addNumber(x);
      return;
    }
    this.kind = 'categorical';
    this.cats = new CategoryCounter();
    this.cats.add(v);
  }

  profile(rows: number): { kind: ColumnKind; profile: ColumnProfile } {
    if (this.kind === 'numeric' && this.acc !== null) {
      return { kind: 'numeric', profile: { ...this.acc.toProfile(), missing: rows - this.nonMissing } };
    }
    if (this.kind === 'numeric') {
      const sorted = radixSortFloat64(this.nums!.buf.subarray(0, this.nums!.length));
      this.nums = null;
      return { kind: 'numeric', profile: numericProfileFromSorted(sorted, rows - this.nonMissing, undefined, { keepValues: true }) };
    }
    return { kind: 'categorical', profile: (this.cats ?? new CategoryCounter()).profile(rows) };
  }
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function extend<T>(states: Array<T | null>, columns: TableColumns, make: (name: string) => T | null): void {
  for (let i = states.length; i < columns.names.length; i++) states.push(make(columns.names[i]));
}

export interface ReferenceProfileResult {
  format: TableFormat;
  schema: FeatureSchema;
  profile: DatasetProfile;
  /** False when the file outgrew the exact budget and its numerics were sampled. */
  exact: boolean;
  /** Every column of the file, profiled or not (--features). */
  columns: string[];
}

/** Exact profile of a reference file, its schema inferred (see the top of this file). */
export async function profileReferenceFile(
  path: string,
  opts: {
    features?: readonly string[];
    pinned?: Readonly<Record<string, ColumnKind>>;
    /** Numeric values profiled exactly before the columns continue in accumulators (default EXACT_VALUE_BUDGET). */
    exactValues?: number;
    seed?: number;
  } & TableScanOptions = {},
): Promise<ReferenceProfileResult> {
  const budget = opts.exactValues ?? EXACT_VALUE_BUDGET;
  const wanted = opts.features ? new Set(opts.features) : null;
  const states: Array<ReferenceColumn | null> = [];
  const make = (name: string): ReferenceColumn | null => (wanted && !wanted.has(name) ? null : new ReferenceColumn(name, opts.pinned?.[name]));
  let rows = 0;
  let exact = true;
  const checkBudget = (): void => {
    let kept = 0;
    for (const s of states) if (s !== null) kept += s.kept();
    if (kept <= budget) return;
    exact = false;
    for (const s of states) s?.spill(opts.seed ?? 0);
  };
  const scan = await scanTable(
    path,
    (row, columns) => {
      if (states.length !== columns.names.length) extend(states, columns, make);
      // Checked every 1024 rows; a column that turns numeric after a spill is caught by the next check.
      if ((++rows & 1023) === 0) checkBudget();
      for (let i = 0; i < states.length; i++) {
        const s = states[i];
        if (s === null) continue;
        if (s.kind === 'numeric') {
          const x = row.number(i);
          if (x === x) s.addNumber(x);
          else s.add(row.numeric(i));
        } else if (s.cats !== null) {
          if (!s.reread) row.category(i, s.cats);
        } else s.add(row.numeric(i));
      }
    },
    opts,
  );
  extend(states, scan.columns, make);
  checkBudget();
  if (wanted) {
    const missing = [...wanted].filter((f) => !scan.columns.index.has(f));
    if (missing.length > 0) throw new DriftInputError(`feature ${missing.map((f) => `"${f}"`).join(', ')} is not in the reference ${path}`);
  }
  const reread = states.flatMap((s, i) => (s?.reread ? [i] : []));
  if (reread.length > 0) {
    for (const i of reread) {
      states[i]!.cats = new CategoryCounter();
      states[i]!.reread = false;
    }
    await scanTable(path, (row) => {
      for (const i of reread) row.category(i, states[i]!.cats!);
    }, opts);
  }
  const schema: FeatureSchema = {};
  const columns: Record<string, ColumnProfile> = {};
  for (let i = 0; i < states.length; i++) {
    const s = states[i];
    if (s === null) continue;
    const name = scan.columns.names[i];
    const { kind, profile } = s.profile(scan.rows);
    schema[name] = kind;
    columns[name] = profile;
    states[i] = null; // let the column's values go before the next one is sorted
  }
  return { format: scan.format, schema, profile: { rows: scan.rows, columns }, exact, columns: [...scan.columns.names] };
}

export interface CurrentProfileResult {
  format: TableFormat;
  profile: DatasetProfile;
  /** Schema columns the current file has (a CSV header column, or a key seen in some JSONL row). */
  present: string[];
  /** Columns of the current file that are not in the schema. */
  extra: string[];
  /** True when the numeric columns were profiled exactly, false when the value budget sent them to reservoirs. */
  exact: boolean;
}


/** One numeric column of the current file: exact values while the budget lasts, then its accumulator. */
class CurrentNumeric {
  readonly kind = 'numeric' as const;
  values: GrowableFloats | null = new GrowableFloats();
  missing = 0;
  constructor(readonly acc: NumericAccumulator | null) {}
  add(v: unknown): void {
    if (this.values === null) {
      this.acc!.add(v);
      return;
    }
    if (typeof v === 'number' && Number.isFinite(v)) {
      this.values.push(v);
      return;
    }
    const x = toNumber(v);
    if (x === null) this.missing++;
    else this.values.push(x);
  }
  /** Hands the kept values to the accumulator (in file order, as if it had seen them one by one). */
  spill(): void {
    if (this.values === null) return;
    const buf = this.values.buf;
    for (let i = 0; i < this.values.length; i++) this.acc!.add(buf[i]);
    this.acc!.missing += this.missing;
    this.values = null;
  }
  backfillMissing(rows: number): void {
    if (this.values === null) this.acc!.missing += rows;
    else this.missing += rows;
  }
}

/** A current file with more numeric values than the exact budget, scanned without a reference to spill into. */
export class ExactBudgetExceeded extends Error {}

/** What a scan of the current file gathers before the reference's bin edges are applied. */
export interface CurrentColumns {
  format: TableFormat;
  rows: number;
  /** Schema columns the file has (a CSV header column, or a key seen in some JSONL row). */
  present: string[];
  /** Columns of the file that are not in the schema. */
  extra: string[];
  /** Each numeric column's non-missing values, ascending, and its missing count (empty when spilled). */
  numerics: Record<string, { sorted: Float64Array; missing: number }>;
  categoricals: Record<string, CategoricalProfile>;
}

/**
 * Scans a current file with a known schema. Numeric values are kept and sorted while the file
 * holds at most `budget` of them; past that they go to `acc`'s reservoirs, or, without an
 * accumulator (a scan that has no reference yet), the scan stops with ExactBudgetExceeded.
 */
async function scanCurrent(
  path: string,
  schema: FeatureSchema,
  acc: DatasetAccumulator | null,
  opts: { exactValues?: number } & TableScanOptions,
): Promise<{ columns: CurrentColumns; exact: boolean }> {
  const budget = opts.exactValues ?? EXACT_VALUE_BUDGET;
  const numerics = new Map<string, CurrentNumeric>();
  const cats = new Map<string, CategoryCounter>();
  const targets: Array<CurrentNumeric | CategoryCounter | null> = [];
  const active: number[] = [];
  let rows = 0;
  let kept = 0;
  let exact = true;
  const grow = (columns: TableColumns): void => {
    for (let i = targets.length; i < columns.names.length; i++) {
      const name = columns.names[i];
      const kind = Object.hasOwn(schema, name) ? schema[name] : null;
      if (kind === null) {
        targets.push(null);
        continue;
      }
      let t: CurrentNumeric | CategoryCounter;
      if (kind === 'numeric') {
        const a = acc?.columns[name];
        t = new CurrentNumeric(a && a.kind === 'numeric' ? a : null);
        if (!exact) t.spill();
        numerics.set(name, t);
        // A JSONL key first seen now was missing from every earlier row.
        t.backfillMissing(rows);
      } else {
        t = new CategoryCounter();
        cats.set(name, t);
      }
      targets.push(t);
      active.push(i);
    }
  };
  const scan = await scanTable(
    path,
    (row, columns) => {
      if (targets.length !== columns.names.length) grow(columns);
      rows++;
      for (let k = 0; k < active.length; k++) {
        const i = active[k];
        const t = targets[i]!;
        if (t instanceof CategoryCounter) row.category(i, t);
        else {
          const x = row.number(i);
          if (x === x && t.values !== null) t.values.push(x);
          else t.add(x === x ? x : row.numeric(i));
        }
      }
      if (exact) {
        kept += numerics.size;
        if (kept > budget) {
          if (acc === null) throw new ExactBudgetExceeded(`${path} has more than ${budget} numeric values`);
          exact = false;
          for (const n of numerics.values()) n.spill();
        }
      }
    },
    opts,
  );
  grow(scan.columns);
  const out: CurrentColumns = {
    format: scan.format,
    rows: scan.rows,
    present: scan.columns.names.filter((n) => Object.hasOwn(schema, n)),
    extra: scan.columns.names.filter((n) => !Object.hasOwn(schema, n)),
    numerics: {},
    categoricals: {},
  };
  for (const [name, c] of cats) out.categoricals[name] = c.profile(scan.rows);
  if (exact) {
    for (const [name, n] of numerics) {
      out.numerics[name] = { sorted: radixSortFloat64(n.values!.buf.subarray(0, n.values!.length)), missing: n.missing };
      n.values = null;
    }
  }
  return { columns: out, exact };
}

/** Exact scan of a current file that needs no reference yet (what the parallel worker runs). */
export async function collectCurrentColumns(
  path: string,
  schema: FeatureSchema,
  opts: { exactValues?: number } & TableScanOptions = {},
): Promise<CurrentColumns> {
  return (await scanCurrent(path, schema, null, opts)).columns;
}

/** The current profile from an exact scan: numeric columns binned on the reference's edges. */
export function currentProfileFromColumns(columns: CurrentColumns, reference: DatasetProfile): DatasetProfile {
  const profile: DatasetProfile = { rows: columns.rows, columns: {} };
  for (const [name, n] of Object.entries(columns.numerics)) {
    const ref = reference.columns[name];
    const edges = ref && ref.kind === 'numeric' ? ref.binEdges : [];
    profile.columns[name] = numericProfileFromSorted(n.sorted, n.missing, edges, { keepValues: true });
  }
  for (const [name, c] of Object.entries(columns.categoricals)) profile.columns[name] = c;
  return profile;
}

/**
 * Profile of a current file against a reference. Numeric columns are profiled exactly (their
 * values sorted once, binned on the reference's edges, systematic sample) while the file holds
 * at most `exactValues` numeric values in all; past that they continue in a DatasetAccumulator's
 * bounded reservoirs, so memory stays bounded for any file size. Categorical columns are
 * counted exactly either way.
 */
export async function profileCurrentFile(
  path: string,
  schema: FeatureSchema,
  reference: DatasetProfile,
  opts: { sampleSize?: number; seed?: number; exactValues?: number } & TableScanOptions = {},
): Promise<CurrentProfileResult> {
  const acc = new DatasetAccumulator(schema, reference, { sampleSize: opts.sampleSize, seed: opts.seed });
  const { columns, exact } = await scanCurrent(path, schema, acc, opts);
  let profile: DatasetProfile;
  if (exact) profile = currentProfileFromColumns(columns, reference);
  else {
    acc.rows = columns.rows;
    profile = acc.toProfile();
    // Categories were counted by the scan, not by the accumulator.
    for (const [name, c] of Object.entries(columns.categoricals)) profile.columns[name] = c;
  }
  return { format: columns.format, profile, present: columns.present, extra: columns.extra, exact };
}

export interface CurrentWorkerInput {
  path: string;
  missingValues: string[];
  schema: FeatureSchema;
  exactValues?: number;
  model?: string;
}

type CurrentWorkerOutput = { ok: true; columns: CurrentColumns } | { ok: false; budget: boolean; message: string };

/** Files at least this large have their current side scanned in a worker, in parallel with the reference. */
export const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/** Rows of the reference read to guess the schema the worker scans the current file with. */
const SCHEMA_SNIFF_ROWS = 2000;

function startCurrentWorker(input: CurrentWorkerInput): { result: Promise<CurrentWorkerOutput>; stop: () => void } {
  const worker = startModuleWorker(import.meta.url, './offlineWorker', input);
  const result = new Promise<CurrentWorkerOutput>((resolve) => {
    let settled = false;
    const done = (out: CurrentWorkerOutput): void => {
      if (settled) return;
      settled = true;
      resolve(out);
    };
    worker.once('message', (m: CurrentWorkerOutput) => done(m));
    worker.once('error', (e) => done({ ok: false, budget: false, message: e.message }));
    worker.once('exit', (code) => done({ ok: false, budget: false, message: `worker exited with code ${code}` }));
  });
  return { result, stop: () => void worker.terminate() };
}

/**
 * The kinds of the reference's first rows: what the current file is scanned with before the
 * reference is done. A column whose kind changes later in the reference, or that appears only
 * later, makes the two schemas differ, and the current file is then scanned again.
 */
async function sniffSchema(
  path: string,
  opts: { features?: readonly string[]; pinned?: Readonly<Record<string, ColumnKind>> } & TableScanOptions,
): Promise<FeatureSchema | null> {
  const wanted = opts.features ? new Set(opts.features) : null;
  const states: Array<ReferenceColumn | null> = [];
  let rows = 0;
  const stop = new Error('enough rows');
  try {
    await scanTable(
      path,
      (row, columns) => {
        if (states.length !== columns.names.length) extend(states, columns, (name) => (wanted && !wanted.has(name) ? null : new ReferenceColumn(name, opts.pinned?.[name])));
        for (let i = 0; i < states.length; i++) states[i]?.add(states[i]!.kind === 'categorical' ? row.value(i) : row.numeric(i));
        if (++rows >= SCHEMA_SNIFF_ROWS) throw stop;
      },
      opts,
    );
  } catch (e) {
    if (e !== stop) return null; // the full read reports what is wrong with the file
  }
  const schema: FeatureSchema = {};
  for (const s of states) {
    if (s === null) continue;
    if (s.kind === 'undecided') return null;
    schema[s.name] = s.kind;
  }
  return schema;
}

function sameSchema(a: FeatureSchema, b: FeatureSchema): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** Validates per-feature overrides from the config against the schema's kinds. */
export function featureOverrides(
  perFeature: Readonly<Record<string, { method?: string; threshold?: number }>>,
  schema: FeatureSchema,
): Record<string, CompareOptions> {
  const out: Record<string, CompareOptions> = {};
  for (const [name, o] of Object.entries(perFeature)) {
    const method = o.method === undefined ? undefined : parseDriftMethod(o.method);
    if (method === null) {
      throw new DriftInputError(`config drift.perFeature.${name}.method "${o.method}" is not one of ${driftMethodList()}`);
    }
    if (method !== undefined && NUMERIC_ONLY_METHODS.has(method) && schema[name] === 'categorical') {
      throw new DriftInputError(`config drift.perFeature.${name}.method "${o.method}" needs a numeric feature, but ${name} is categorical`);
    }
    out[name] = { method, threshold: o.threshold };
  }
  return out;
}

export async function offlineDrift(referencePath: string, currentPath: string, opts: OfflineDriftOptions = {}): Promise<OfflineDriftReport> {
  const share = opts.share ?? 0.5;
  if (!(share > 0 && share <= 1)) throw new DriftInputError(`the dataset drift share must be in (0, 1], got ${share}`);
  const features = opts.features ? [...new Set(opts.features)] : undefined;
  if (features && features.length === 0) throw new DriftInputError('--features names no feature');
  const scanOpts: TableScanOptions = opts.model !== undefined ? { model: opts.model } : {};

  const t0 = performance.now();
  // The current file is scanned in a worker while the reference is profiled here, when it is big
  // enough to repay starting one; anything unexpected falls back to scanning it afterwards.
  let worker: ReturnType<typeof startCurrentWorker> | null = null;
  let hint: FeatureSchema | null = null;
  if (opts.parallel ?? fileBytes(currentPath) >= PARALLEL_MIN_BYTES) {
    hint = await sniffSchema(referencePath, { features, pinned: opts.pinned, ...scanOpts });
    if (hint) worker = startCurrentWorker({ path: currentPath, missingValues: missingValues(), schema: hint, exactValues: opts.exactValues, model: opts.model });
  }
  let ref: ReferenceProfileResult;
  try {
    ref = await profileReferenceFile(referencePath, { features, pinned: opts.pinned, exactValues: opts.exactValues, seed: opts.seed, ...scanOpts });
  } catch (e) {
    worker?.stop();
    throw e;
  }
  const overrides = featureOverrides(opts.perFeature ?? {}, ref.schema);
  const t1 = performance.now();
  let cur: CurrentProfileResult | null = null;
  let parallel = false;
  if (worker) {
    const out = await worker.result;
    if (out.ok && hint && sameSchema(hint, ref.schema)) {
      const c = out.columns;
      cur = { format: c.format, profile: currentProfileFromColumns(c, ref.profile), present: c.present, extra: c.extra, exact: true };
      parallel = true;
    }
  }
  cur ??= await profileCurrentFile(currentPath, ref.schema, ref.profile, { sampleSize: opts.sampleSize, seed: opts.seed, exactValues: opts.exactValues, ...scanOpts });
  const t2 = performance.now();

  const presentSet = new Set(cur.present);
  const refColumns = new Set(ref.columns);
  const common = Object.keys(ref.schema).filter((n) => presentSet.has(n));
  const onlyInReference = Object.keys(ref.schema).filter((n) => !presentSet.has(n));
  if (features) {
    const absent = features.filter((f) => !presentSet.has(f));
    if (absent.length > 0) throw new DriftInputError(`feature ${absent.map((f) => `"${f}"`).join(', ')} is not in the current ${currentPath}`);
  }
  if (common.length === 0) throw new DriftInputError(`${referencePath} and ${currentPath} have no column in common`);

  const calendar = new Set(opts.calendar ?? []);
  const compared: DatasetProfile = { rows: ref.profile.rows, columns: { ...ref.profile.columns } };
  const notes = new Map<string, string>();
  for (const name of common) {
    if (!calendar.has(name)) continue;
    notes.set(name, CALENDAR_NOTE);
    const restricted = restrictToCurrentPeriods(ref.profile.columns[name], cur.profile.columns[name]);
    if (restricted) compared.columns[name] = restricted;
  }
  // A current file with nothing to compare is no verdict (exit 2), not "no drift": an empty
  // export or a column of N/A must not pass a CI gate.
  const usable = common.some((n) => (cur.profile.columns[n]?.count ?? 0) > 0);
  if (!usable) throw new DriftInputError(`no verdict: ${currentPath} has no usable values (${cur.profile.rows} rows, every compared column missing)`);
  const results = compareDatasets(compared, cur.profile, { features: overrides, only: common });
  const t3 = performance.now();
  return {
    reference: { path: referencePath, format: ref.format, rows: ref.profile.rows, exact: ref.exact },
    current: { path: currentPath, format: cur.format, rows: cur.profile.rows, exact: cur.exact },
    schema: ref.schema,
    features: results.map((r) => ({ ...r, note: notes.get(r.feature) ?? null })),
    onlyInReference,
    onlyInCurrent: cur.extra.filter((n) => !refColumns.has(n)),
    dataset: { ...datasetDrift(results, share), threshold: share },
    timings: { referenceMs: t1 - t0, currentMs: t2 - t1, compareMs: t3 - t2, parallel },
  };
}

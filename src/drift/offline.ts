// Offline drift between two files (the `drift` command): reference and current are CSV or JSON
// Lines, compared column by column with the same profiles, methods and levels as the live
// windows, plus the dataset verdict.
//
// Memory: the reference is profiled exactly, which holds its numeric columns once as
// Float64Arrays (8 bytes per value, never row objects); those are dropped before the current
// file is read. The current file goes through a DatasetAccumulator binned on the reference's
// edges, so it takes bounded memory however large it is: exact moments and PSI bins, exact
// value counts for low-cardinality numerics, and a 5,000-value reservoir for KS and Wasserstein
// (exact whenever the file has at most 5,000 rows, the regime where p-values are used).
//
// Schema: a column is numeric when every non-missing reference value is a number or a string
// that parses as one, else categorical (booleans are categorical); cfg.features pins override.
// The kind is decided from the first non-missing value; a column that later turns out to hold
// text is re-read from the reference as categorical, since its earlier values' spelling
// ("02134" vs 2134) was not kept.
import { restrictToCurrentPeriods, CALENDAR_NOTE } from './calendar.js';
import type { ColumnAccumulator } from './accumulators.js';
import { DatasetAccumulator } from './accumulators.js';
import { compareDatasets, DEFAULT_THRESHOLDS, type ColumnDriftResult, type CompareOptions, type DriftMethod } from './columnDrift.js';
import { datasetDrift, type DatasetDriftResult } from './datasetDrift.js';
import type { ColumnKind, ColumnProfile, DatasetProfile, FeatureSchema } from './profile.js';
import { numericProfileFromSorted } from './profile.js';
import { scanTable, type TableColumns, type TableFormat, type TableScanOptions } from './tableReader.js';
import { isMissing, toCategory, toNumber } from './values.js';

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
  /** Reservoir size of the current side's numeric columns (default 5,000). */
  sampleSize?: number;
  seed?: number;
}

export interface OfflineFeatureResult extends ColumnDriftResult {
  /** Why this column was compared differently (calendar feature), else null. */
  note: string | null;
}

export interface OfflineDriftReport {
  reference: { path: string; format: TableFormat; rows: number };
  current: { path: string; format: TableFormat; rows: number };
  schema: FeatureSchema;
  features: OfflineFeatureResult[];
  /** Selected reference columns absent from the current file, and current columns not in the reference. */
  onlyInReference: string[];
  onlyInCurrent: string[];
  dataset: DatasetDriftResult & { threshold: number };
  timings: { referenceMs: number; currentMs: number; compareMs: number };
}

const METHODS: ReadonlySet<string> = new Set(Object.keys(DEFAULT_THRESHOLDS));
const NUMERIC_ONLY: ReadonlySet<string> = new Set(['ks', 'wasserstein']);

class Floats {
  buf = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = x;
  }
}

/** A number for schema inference: JSON numbers and numeric strings, not booleans. */
function inferredNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return toNumber(v);
  return null;
}

class ReferenceColumn {
  kind: ColumnKind | 'undecided';
  nums: Floats | null = null;
  counts: Map<string, number> | null = null;
  nonMissing = 0;
  /** Numbers first, text later: its categories must be counted in a second pass. */
  reread = false;

  constructor(readonly pinned: ColumnKind | undefined) {
    this.kind = pinned ?? 'undecided';
    if (this.kind === 'numeric') this.nums = new Floats();
    if (this.kind === 'categorical') this.counts = new Map();
  }

  add(v: unknown): void {
    if (isMissing(v)) return;
    if (this.kind === 'numeric') {
      const x = this.pinned ? toNumber(v) : inferredNumber(v);
      if (x !== null) {
        this.nums!.push(x);
        this.nonMissing++;
        return;
      }
      // A pinned numeric column treats text as missing, as the live accumulators do.
      if (this.pinned) return;
      this.kind = 'categorical';
      this.nums = null;
      this.counts = new Map();
      this.reread = true;
    } else if (this.kind === 'undecided') {
      const x = inferredNumber(v);
      if (x !== null) {
        this.kind = 'numeric';
        this.nums = new Floats();
        this.nums.push(x);
        this.nonMissing++;
        return;
      }
      this.kind = 'categorical';
      this.counts = new Map();
    }
    if (this.reread) return;
    const c = toCategory(v)!;
    this.counts!.set(c, (this.counts!.get(c) ?? 0) + 1);
    this.nonMissing++;
  }

  /** Second pass of a re-read column: every non-missing value as a category. */
  recount(v: unknown): void {
    if (isMissing(v)) return;
    const c = toCategory(v)!;
    this.counts!.set(c, (this.counts!.get(c) ?? 0) + 1);
    this.nonMissing++;
  }

  profile(rows: number): { kind: ColumnKind; profile: ColumnProfile } {
    if (this.kind === 'numeric') {
      const sorted = this.nums!.buf.subarray(0, this.nums!.length).sort();
      this.nums = null;
      return { kind: 'numeric', profile: numericProfileFromSorted(sorted, rows - this.nonMissing) };
    }
    const counts = this.counts ? Object.fromEntries(this.counts) : {};
    return { kind: 'categorical', profile: { kind: 'categorical', count: this.nonMissing, missing: rows - this.nonMissing, counts } };
  }
}

function extend<T>(states: Array<T | null>, columns: TableColumns, make: (name: string) => T | null): void {
  for (let i = states.length; i < columns.names.length; i++) states.push(make(columns.names[i]));
}

export interface ReferenceProfileResult {
  format: TableFormat;
  schema: FeatureSchema;
  profile: DatasetProfile;
}

/** Exact profile of a reference file, its schema inferred (see the top of this file). */
export async function profileReferenceFile(
  path: string,
  opts: { features?: readonly string[]; pinned?: Readonly<Record<string, ColumnKind>> } & TableScanOptions = {},
): Promise<ReferenceProfileResult> {
  const wanted = opts.features ? new Set(opts.features) : null;
  const states: Array<ReferenceColumn | null> = [];
  const make = (name: string): ReferenceColumn | null => (wanted && !wanted.has(name) ? null : new ReferenceColumn(opts.pinned?.[name]));
  const scan = await scanTable(
    path,
    (values, columns) => {
      if (states.length !== columns.names.length) extend(states, columns, make);
      for (let i = 0; i < states.length; i++) {
        const s = states[i];
        if (s !== null) s.add(values[i]);
      }
    },
    opts,
  );
  extend(states, scan.columns, make);
  if (wanted) {
    const missing = [...wanted].filter((f) => !scan.columns.index.has(f));
    if (missing.length > 0) throw new DriftInputError(`feature ${missing.map((f) => `"${f}"`).join(', ')} is not in the reference ${path}`);
  }
  const reread = states.flatMap((s, i) => (s?.reread ? [i] : []));
  if (reread.length > 0) {
    for (const i of reread) {
      states[i]!.counts = new Map();
      states[i]!.nonMissing = 0;
    }
    await scanTable(path, (values) => {
      for (const i of reread) states[i]!.recount(values[i]);
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
  return { format: scan.format, schema, profile: { rows: scan.rows, columns } };
}

export interface CurrentProfileResult {
  format: TableFormat;
  profile: DatasetProfile;
  /** Schema columns the current file has (a CSV header column, or a key seen in some JSONL row). */
  present: string[];
  /** Columns of the current file that are not in the schema. */
  extra: string[];
}

/** Profile of a current file against a reference, streamed through a DatasetAccumulator (bounded memory). */
export async function profileCurrentFile(
  path: string,
  schema: FeatureSchema,
  reference: DatasetProfile,
  opts: { sampleSize?: number; seed?: number } & TableScanOptions = {},
): Promise<CurrentProfileResult> {
  const acc = new DatasetAccumulator(schema, reference, { sampleSize: opts.sampleSize, seed: opts.seed });
  const targets: Array<ColumnAccumulator | null> = [];
  const active: number[] = [];
  let rows = 0;
  const grow = (columns: TableColumns): void => {
    for (let i = targets.length; i < columns.names.length; i++) {
      const a = Object.hasOwn(acc.columns, columns.names[i]) ? acc.columns[columns.names[i]] : null;
      targets.push(a);
      if (a === null) continue;
      // A JSONL key first seen now was missing from every earlier row.
      a.missing += rows;
      active.push(i);
    }
  };
  const scan = await scanTable(
    path,
    (values, columns) => {
      if (targets.length !== columns.names.length) grow(columns);
      rows++;
      for (let k = 0; k < active.length; k++) {
        const i = active[k];
        targets[i]!.add(values[i]);
      }
    },
    opts,
  );
  grow(scan.columns);
  acc.rows = scan.rows;
  const present = scan.columns.names.filter((n) => Object.hasOwn(schema, n));
  const extra = scan.columns.names.filter((n) => !Object.hasOwn(schema, n));
  return { format: scan.format, profile: acc.toProfile(), present, extra };
}

/** Validates per-feature overrides from the config against the schema's kinds. */
export function featureOverrides(
  perFeature: Readonly<Record<string, { method?: string; threshold?: number }>>,
  schema: FeatureSchema,
): Record<string, CompareOptions> {
  const out: Record<string, CompareOptions> = {};
  for (const [name, o] of Object.entries(perFeature)) {
    if (o.method !== undefined && !METHODS.has(o.method)) {
      throw new DriftInputError(`config drift.perFeature.${name}.method "${o.method}" is not one of ${[...METHODS].join(', ')}`);
    }
    if (o.method !== undefined && NUMERIC_ONLY.has(o.method) && schema[name] === 'categorical') {
      throw new DriftInputError(`config drift.perFeature.${name}.method "${o.method}" needs a numeric feature, but ${name} is categorical`);
    }
    out[name] = { method: o.method as DriftMethod | undefined, threshold: o.threshold };
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
  const ref = await profileReferenceFile(referencePath, { features, pinned: opts.pinned, ...scanOpts });
  const overrides = featureOverrides(opts.perFeature ?? {}, ref.schema);
  const t1 = performance.now();
  const cur = await profileCurrentFile(currentPath, ref.schema, ref.profile, { sampleSize: opts.sampleSize, seed: opts.seed, ...scanOpts });
  const t2 = performance.now();

  const presentSet = new Set(cur.present);
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
  const results = compareDatasets(compared, cur.profile, { features: overrides, only: common });
  const t3 = performance.now();
  return {
    reference: { path: referencePath, format: ref.format, rows: ref.profile.rows },
    current: { path: currentPath, format: cur.format, rows: cur.profile.rows },
    schema: ref.schema,
    features: results.map((r) => ({ ...r, note: notes.get(r.feature) ?? null })),
    onlyInReference,
    onlyInCurrent: cur.extra,
    dataset: { ...datasetDrift(results, share), threshold: share },
    timings: { referenceMs: t1 - t0, currentMs: t2 - t1, compareMs: t3 - t2 },
  };
}

// Reads a training CSV into time-ordered rows with an inferred feature schema; this is what
// `mlops-tui train --data FILE.csv --label COL [--time COL] [--features a,b] [--from T] [--until T]`
// calls before training.
//
// Schema rule (per feature column, over its non-missing values):
//   numeric      if every value parses as a number AND (more than 10 distinct values, or any
//                value is not an integer — clearly continuous);
//   categorical  otherwise (text, codes, flags, small integer sets like 0–6 weekdays).
// A column with no value at all cannot be encoded and is an error naming it.
// Time window: from ≤ t < until, so `--until 2001-02-01` means "all of January".
import { parseTime, requireTime } from '../core/time.js';
import { CsvError, readCsvRecords } from '../data/csv.js';
import type { FeatureSchema } from '../drift/profile.js';
import { isMissing, toNumber } from '../core/values.js';

export const NUMERIC_MIN_DISTINCT = 10;

export interface TrainingDataSpec {
  /** Path of a .csv or .csv.gz file with a header row. */
  data: string;
  label: string;
  time?: string;
  /** Feature columns; default: every column but the label and the time. */
  features?: string[];
  /** Inclusive lower bound on the time column (ISO 8601 or epoch milliseconds). */
  from?: string;
  /** Exclusive upper bound on the time column. */
  until?: string;
  /** Pinned kinds for some columns; the rest are inferred. */
  schema?: Partial<FeatureSchema>;
}

export interface TrainingData {
  rows: Record<string, string>[];
  schema: FeatureSchema;
  label: string;
  time?: string;
  /** Rows read before the time filter. */
  read: number;
}


function boundOf(name: string, value: string | undefined): number | null {
  return value === undefined ? null : requireTime(value, `--${name}`);
}

/** Infers numeric/categorical for one column's values by the rule at the top of this file. */
export function inferKind(values: Iterable<unknown>): 'numeric' | 'categorical' | null {
  const distinct = new Set<number>();
  let any = false;
  let continuous = false;
  for (const v of values) {
    if (isMissing(v)) continue;
    any = true;
    const x = toNumber(v);
    if (x === null) return 'categorical';
    if (!Number.isInteger(x)) continuous = true;
    if (distinct.size <= NUMERIC_MIN_DISTINCT) distinct.add(x);
  }
  if (!any) return null;
  return continuous || distinct.size > NUMERIC_MIN_DISTINCT ? 'numeric' : 'categorical';
}

export async function loadTrainingRows(spec: TrainingDataSpec): Promise<TrainingData> {
  const from = boundOf('from', spec.from);
  const until = boundOf('until', spec.until);
  if ((from !== null || until !== null) && !spec.time) throw new Error('--from/--until need a time column (--time)');
  let features: string[] | null = spec.features ? [...spec.features] : null;
  const kept: { t: number; row: Record<string, string> }[] = [];
  let read = 0;
  let checked = false;
  for await (const { line, row } of readCsvRecords(spec.data)) {
    if (!checked) {
      const columns = Object.keys(row);
      const need = [spec.label, ...(spec.time ? [spec.time] : []), ...(features ?? [])];
      const absent = need.filter((c) => !columns.includes(c));
      if (absent.length) throw new Error(`${spec.data} has no column ${absent.map((c) => `"${c}"`).join(', ')} (columns: ${columns.join(', ')})`);
      features ??= columns.filter((c) => c !== spec.label && c !== spec.time);
      if (features.includes(spec.label)) throw new Error(`the label "${spec.label}" cannot also be a feature`);
      if (features.length === 0) throw new Error(`${spec.data} has no feature columns besides the label`);
      checked = true;
    }
    read++;
    let t = read;
    if (spec.time) {
      const parsed = parseTime(row[spec.time]);
      if (parsed === null) throw new CsvError(spec.data, line, `time column "${spec.time}": "${row[spec.time]}" is not an ISO 8601 time or epoch milliseconds`);
      t = parsed;
      if ((from !== null && t < from) || (until !== null && t >= until)) continue;
    }
    const slim: Record<string, string> = {};
    for (const f of features!) slim[f] = row[f]!;
    slim[spec.label] = row[spec.label]!;
    if (spec.time) slim[spec.time] = row[spec.time]!;
    kept.push({ t, row: slim });
  }
  if (!checked) throw new Error(`${spec.data} has no data rows`);
  if (kept.length === 0) throw new Error(`${spec.data} has no rows in the requested time window`);
  kept.sort((a, b) => a.t - b.t); // stable: equal times keep file order
  const rows = kept.map((k) => k.row);
  const schema: FeatureSchema = {};
  for (const f of features!) {
    const pinned = spec.schema?.[f];
    const kind = pinned ?? inferKind(rows.map((r) => r[f]));
    if (kind === null) throw new Error(`feature "${f}" has no value in the training rows`);
    schema[f] = kind;
  }
  return { rows, schema, label: spec.label, time: spec.time, read };
}

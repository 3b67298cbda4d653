// How raw ingested values become numbers or category keys. One definition of "missing" shared
// by the reference profile, the live windows, schema inference, training and offline drift, so
// a missing-rate comparison never compares two notions of missing and a few `NaN` or `N/A`
// tokens never turn a numeric column categorical.
//
// Missing: null, undefined, a non-finite number, and a string that is one of the missing tokens
// after trimming. The default tokens are pandas' read_csv na_values (what most exported data
// uses: R writes `NA`, Python `NaN`/`None`, databases `NULL`) plus the spellings of infinity,
// which no drift statistic can use. The list is configurable (`missingValues` in the config)
// for data where, say, `NA` is a real category (Namibia, North America).

/** pandas' default na_values, plus infinities (case as listed; see isMissingToken). */
export const DEFAULT_MISSING_VALUES: readonly string[] = [
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>',
  'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
  'inf', '-inf', '+inf', 'Inf', '-Inf', '+Inf', 'INF', '-INF', 'Infinity', '-Infinity', '+Infinity', 'infinity', '-infinity',
];

let tokens: ReadonlySet<string> = new Set(DEFAULT_MISSING_VALUES);
/** Longest token: longer strings skip the set lookup (the CSV hot path). */
let longest = Math.max(...DEFAULT_MISSING_VALUES.map((t) => t.length));

/**
 * Replaces the missing tokens (the config's `missingValues`). Process-wide on purpose: every
 * reader in a process must share one notion of missing; the engine and training workers call
 * it with the same config when they start.
 */
export function setMissingValues(list: readonly string[]): void {
  tokens = new Set(['', ...list]);
  longest = Math.max(0, ...[...tokens].map((t) => t.length));
}

/** The tokens in force (for reports and the worker start-up). */
export function missingValues(): string[] {
  return [...tokens];
}

/** True when text[start, end) trimmed is a missing token; no string is made for long fields. */
export function isMissingSpan(text: string, start: number, end: number): boolean {
  while (start < end && text.charCodeAt(start) <= 32) start++;
  while (end > start && text.charCodeAt(end - 1) <= 32) end--;
  if (end - start > longest) return false;
  return tokens.has(text.slice(start, end));
}

export function isMissing(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return !Number.isFinite(v);
  if (typeof v === 'string') return isMissingSpan(v, 0, v.length);
  return false;
}

/** A finite number, or null when the value is missing or not numeric (CSV fields arrive as strings). */
export function toNumber(v: unknown): number | null {
  if (isMissing(v)) return null;
  let x: number;
  if (typeof v === 'number') x = v;
  else if (typeof v === 'boolean') x = v ? 1 : 0;
  else if (typeof v === 'string') x = Number(v.trim());
  else return null;
  return Number.isFinite(x) ? x : null;
}

/** The category key of a value, or null when missing. */
export function toCategory(v: unknown): string | null {
  if (isMissing(v)) return null;
  return typeof v === 'string' ? v : String(v);
}

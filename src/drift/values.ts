// How raw ingested values become numbers or category keys. One definition of "missing"
// (null, undefined, '', NaN) shared by the reference profile and the live windows, so a
// missing-rate comparison never compares two different notions of missing.

export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
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

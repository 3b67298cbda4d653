// Calendar features (day of week, hour, month: cfg.drift.calendar) are periodic: a file or
// window covering one Monday holds only Mondays, so compared with a whole reference the
// feature looks maximally drifted (JS ≈ 0.69 for day of week on the flights data) although
// nothing changed. We compare such a feature with the reference restricted to the periods the
// current data covers, i.e. the reference's rows whose value occurs in the current data.
// A current window covering every period is compared with the whole reference, so a real
// shift (the demo's hour arriving six hours late) is still seen; a window of one weekday is
// compared with the reference's rows of that weekday. Values the reference never saw are kept
// in the current side, so they still count as new.
import type { CategoricalProfile, ColumnProfile, NumericProfile } from './profile.js';
import { numericProfileFromSorted } from './profile.js';

export const CALENDAR_NOTE = 'calendar feature: compared with the reference rows of the same periods';

function positiveKeys(counts: Readonly<Record<string, number>>): Set<string> {
  const keys = new Set<string>();
  for (const [k, c] of Object.entries(counts)) if (c > 0) keys.add(k);
  return keys;
}

function restrictCategorical(ref: CategoricalProfile, cur: CategoricalProfile): CategoricalProfile | null {
  const keep = positiveKeys(cur.counts);
  const kept: Array<[string, number]> = [];
  let count = 0;
  for (const [k, c] of Object.entries(ref.counts)) {
    if (!keep.has(k)) continue;
    kept.push([k, c]);
    count += c;
  }
  if (count === 0 || count === ref.count) return null;
  // fromEntries: a category named "__proto__" stays a key (see categories.ts).
  return { kind: 'categorical', count, missing: Math.round((ref.missing * count) / ref.count), counts: Object.fromEntries(kept) };
}

function restrictNumeric(ref: NumericProfile, cur: NumericProfile): NumericProfile | null {
  // Periods are only defined for a feature with few distinct values (counted exactly).
  if (!ref.valueCounts || !cur.valueCounts) return null;
  const keep = positiveKeys(cur.valueCounts);
  const kept: Array<[number, number]> = [];
  let count = 0;
  for (const [k, c] of Object.entries(ref.valueCounts)) {
    if (!keep.has(k)) continue;
    kept.push([Number(k), c]);
    count += c;
  }
  if (count === 0 || count === ref.count) return null;
  kept.sort((a, b) => a[0] - b[0]);
  const sorted = new Float64Array(count);
  let at = 0;
  for (const [v, c] of kept) {
    sorted.fill(v, at, at + c);
    at += c;
  }
  // Binned on the full reference's edges, which the current profile's bin counts also use.
  return numericProfileFromSorted(sorted, Math.round((ref.missing * count) / ref.count), ref.binEdges);
}

/**
 * The reference profile of a calendar feature restricted to the periods present in `cur`, or
 * null when the restriction changes nothing (or is undefined: a numeric column without exact
 * value counts, or no period in common) and the whole reference applies.
 */
export function restrictToCurrentPeriods(ref: ColumnProfile, cur: ColumnProfile): ColumnProfile | null {
  if (ref.kind === 'categorical' && cur.kind === 'categorical') return restrictCategorical(ref, cur);
  if (ref.kind === 'numeric' && cur.kind === 'numeric') return restrictNumeric(ref, cur);
  return null;
}

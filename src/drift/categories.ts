/**
 * Counts of category → rows, as kept by profiles and accumulators. Category keys come from logs,
 * so a key can be "constructor", "toString" or "__proto__": read them with countOf (own keys
 * only) and build records with Object.fromEntries (which defines "__proto__" as an own key
 * instead of replacing the prototype), never `counts[k] ?? 0` or `counts[k] = c`.
 */
export type CategoryCounts = Readonly<Record<string, number>>;

/** The count of category k, 0 when absent; never a value inherited from Object.prototype. */
export function countOf(counts: CategoryCounts, k: string): number {
  return Object.hasOwn(counts, k) ? counts[k] : 0;
}

export interface CategoryUnion {
  keys: string[];
  reference: number[];
  current: number[];
  /** In the current window but never seen in the reference. */
  newCategories: string[];
  /** In the reference but absent from the current window. */
  vanishedCategories: string[];
}

/** Aligns two count maps on the sorted union of their categories (zero counts dropped). */
export function alignCategories(reference: CategoryCounts, current: CategoryCounts): CategoryUnion {
  const keys = [...new Set([...Object.keys(reference), ...Object.keys(current)])]
    .filter((k) => countOf(reference, k) > 0 || countOf(current, k) > 0)
    .sort();
  const ref = keys.map((k) => countOf(reference, k));
  const cur = keys.map((k) => countOf(current, k));
  return {
    keys,
    reference: ref,
    current: cur,
    newCategories: keys.filter((_, i) => ref[i] === 0),
    vanishedCategories: keys.filter((_, i) => cur[i] === 0),
  };
}

export function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** Counts of category → rows, as kept by profiles and accumulators. */
export type CategoryCounts = Readonly<Record<string, number>>;

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
    .filter((k) => (reference[k] ?? 0) > 0 || (current[k] ?? 0) > 0)
    .sort();
  const ref = keys.map((k) => reference[k] ?? 0);
  const cur = keys.map((k) => current[k] ?? 0);
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

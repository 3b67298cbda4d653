/**
 * Labels and predictions arrive as JSON values of any type (1, "1", true,
 * "delayed"); a model's artifact lists its classes. Values are matched by
 * their string form so 1 and "1" are the same class, as they are in a CSV.
 */
export interface ClassSpace {
  classes: string[];
  binary: boolean;
}

export function classSpace(classes: readonly (string | number | boolean)[] | null): ClassSpace {
  if (classes === null || classes.length === 0) return { classes: ['0', '1'], binary: true };
  return { classes: classes.map(String), binary: classes.length === 2 };
}

const norm = (v: unknown): string => (v === true ? '1' : v === false ? '0' : String(v));

/** Index of a JSON-encoded value in the class list, or -1 when unknown. */
export function classIndex(space: ClassSpace, json: string): number {
  let v: unknown;
  try { v = JSON.parse(json); } catch { return -1; }
  const s = norm(v);
  const i = space.classes.indexOf(s);
  if (i >= 0) return i;
  // Numeric classes written as 1.0 or "1.0".
  const n = Number(s);
  return Number.isFinite(n) ? space.classes.findIndex((c) => Number(c) === n) : -1;
}

/** Probability the model gave the class with index `k`. */
export function probabilityOf(space: ClassSpace, k: number, score: number | null, scoresJson: string | null): number | null {
  if (space.binary && score !== null) return k === 1 ? score : 1 - score;
  if (scoresJson === null) return null;
  try {
    const scores = JSON.parse(scoresJson) as Record<string, number>;
    const p = scores[space.classes[k]];
    return typeof p === 'number' ? p : null;
  } catch {
    return null;
  }
}

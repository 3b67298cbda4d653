// Label values of any type become class indices. Classes are numbers when every label reads as
// a number (so a CSV "1" and a JSON 1 are the same class and predictions log as numbers), and
// strings otherwise; either way sorted, so for binary labels the positive class is the larger
// one (1 over 0, "yes" over "no", "true" over "false").
import { isMissing, toNumber } from '../drift/values.js';

export type ClassLabel = string | number;
export type Task = 'binary' | 'multiclass';

/** The sorted class list of the non-missing labels. */
export function classesOf(labels: Iterable<unknown>): ClassLabel[] {
  const seen = new Set<string>();
  let numeric = true;
  for (const v of labels) {
    if (isMissing(v)) continue;
    const key = keyOf(v);
    if (!seen.has(key)) {
      seen.add(key);
      if (toNumber(v) === null) numeric = false;
    }
  }
  if (numeric) return [...new Set([...seen].map((k) => Number(k)))].sort((a, b) => a - b);
  return [...seen].sort();
}

function keyOf(v: unknown): string {
  const n = typeof v === 'string' ? null : toNumber(v);
  return n === null ? String(v).trim() : String(n);
}

export function taskOf(classes: readonly ClassLabel[]): Task {
  if (classes.length < 2) throw new Error(`the label needs at least two classes, found ${classes.length}`);
  return classes.length === 2 ? 'binary' : 'multiclass';
}

/** Maps a raw label to its class index, or -1 when missing or not one of the classes. */
export function classIndexer(classes: readonly ClassLabel[]): (v: unknown) => number {
  const numeric = classes.every((c) => typeof c === 'number');
  const index = new Map<string, number>(classes.map((c, i) => [String(c), i]));
  return (v) => {
    if (isMissing(v)) return -1;
    if (numeric) {
      const n = toNumber(v);
      return n === null ? -1 : (index.get(String(n)) ?? -1);
    }
    return index.get(String(v).trim()) ?? -1;
  };
}

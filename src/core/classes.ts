/**
 * The one rule for class values (labels and predictions), used by training, ingest, the live
 * engine, `compare` and the promotion gate.
 *
 * Labels and predictions arrive as JSON values of any type (1, "1", 1.0, true, "true",
 * "delayed") and as CSV text. Two values are the same class when their keys are equal:
 *  - booleans are the numbers 1 and 0, and so are the strings "true"/"false" (any case):
 *    a label logged as `true` and a prediction logged as `1` are one class;
 *  - numbers, and strings that read as a finite number once trimmed, are keyed by their
 *    value ("1", " 1 ", 1.0 and "1.0" are the class 1);
 *  - any other string is keyed by its trimmed text.
 * A class list is numeric when every key is numeric, then sorted by value, else sorted as
 * text; for a binary task the positive class is the larger one (1 over 0, "yes" over "no"),
 * and `score` is P(positive).
 */
import { isMissing } from './values.js';

export type ClassLabel = string | number;
export type Task = 'binary' | 'multiclass';

export interface ClassKey {
  key: string;
  numeric: boolean;
}

/** The class key of a raw value, or null when it is missing or not a class value. */
export function classKey(v: unknown): ClassKey | null {
  if (isMissing(v)) return null;
  if (typeof v === 'boolean') return { key: v ? '1' : '0', numeric: true };
  if (typeof v === 'number') return Number.isFinite(v) ? { key: String(v), numeric: true } : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (s === '') return null;
  const n = Number(s);
  if (Number.isFinite(n)) return { key: String(n), numeric: true };
  const lower = s.toLowerCase();
  if (lower === 'true') return { key: '1', numeric: true };
  if (lower === 'false') return { key: '0', numeric: true };
  return { key: s, numeric: false };
}

/** The class key of a value as logged (its JSON text); text that is not JSON is taken as a string. */
export function classKeyOfText(text: string): ClassKey | null {
  let v: unknown;
  try { v = JSON.parse(text); } catch { v = text; }
  return classKey(v);
}

function compareKeys(allNumeric: boolean): (x: string, y: string) => number {
  return allNumeric ? (x, y) => Number(x) - Number(y) : (x, y) => (x < y ? -1 : x > y ? 1 : 0);
}

/** The sorted class list of the non-missing values: numbers when every one is numeric. */
export function classesOf(values: Iterable<unknown>): ClassLabel[] {
  const seen = new Map<string, boolean>();
  for (const v of values) {
    const k = classKey(v);
    if (k !== null && !seen.has(k.key)) seen.set(k.key, k.numeric);
  }
  const numeric = [...seen.values()].every(Boolean);
  const keys = [...seen.keys()].sort(compareKeys(numeric));
  return numeric ? keys.map(Number) : keys;
}

export function taskOf(classes: readonly ClassLabel[]): Task {
  if (classes.length < 2) throw new Error(`the label needs at least two classes, found ${classes.length}`);
  return classes.length === 2 ? 'binary' : 'multiclass';
}

/** Maps a raw value to its index in `classes`, or -1 when missing or not one of them. */
export function classIndexer(classes: readonly (ClassLabel | boolean)[]): (v: unknown) => number {
  const index = new Map<string, number>();
  classes.forEach((c, i) => {
    const k = classKey(c);
    if (k !== null && !index.has(k.key)) index.set(k.key, i);
  });
  return (v) => {
    const k = classKey(v);
    return k === null ? -1 : (index.get(k.key) ?? -1);
  };
}

/** A model's class list as the engine uses it: logged JSON texts map to indices. */
export interface ClassSpace {
  classes: string[];
  binary: boolean;
  /** index of a value as logged (JSON text), or -1 when unknown */
  indexOfText(json: string): number;
}

/** The class space of an artifact's class list (binary 0/1 when the artifact is unknown). */
export function classSpace(classes: readonly (ClassLabel | boolean)[] | null): ClassSpace {
  const list = classes === null || classes.length === 0 ? [0, 1] : classes;
  const indexer = classIndexer(list);
  const cache = new Map<string, number>();
  return {
    classes: list.map(String),
    binary: list.length === 2,
    indexOfText(json: string): number {
      let i = cache.get(json);
      if (i === undefined) {
        let v: unknown;
        try { v = JSON.parse(json); } catch { v = json; }
        i = indexer(v);
        if (cache.size < 10_000) cache.set(json, i);
      }
      return i;
    },
  };
}

/**
 * A labelled prediction read in a model's class space: the engine and a host's lens feed their
 * monitors with exactly these four figures.
 */
export function labelledOutcome(space: ClassSpace, f: { prediction: string; label: string; score: number | null; scores: string | null }): { predicted: number; label: number; pos: number | null; probTrue: number | null } {
  const predicted = space.indexOfText(f.prediction);
  const label = space.indexOfText(f.label);
  const pos = space.binary ? f.score : null;
  return { predicted, label, pos, probTrue: probabilityOf(space, label, f.score, f.scores) };
}

/** Probability the model gave the class with index `k` (binary: from P(positive)). */
export function probabilityOf(space: ClassSpace, k: number, score: number | null, scoresJson: string | null): number | null {
  if (space.binary && score !== null) return k === 1 ? score : 1 - score;
  if (scoresJson === null || k < 0) return null;
  try {
    const scores = JSON.parse(scoresJson) as Record<string, number>;
    const want = classKey(space.classes[k])?.key;
    for (const [cls, p] of Object.entries(scores)) {
      if (typeof p === 'number' && classKey(cls)?.key === want) return p;
    }
    return null;
  } catch {
    return null;
  }
}

/**
 * A multiclass score object as logged (`{"a":0.2,"b":0.8}`) as a vector in the class space's
 * order (the model's), by the class rule; null when it is absent, unreadable or misses a class.
 */
export function probabilitiesOf(space: ClassSpace, scoresJson: string | null): number[] | null {
  if (scoresJson === null) return null;
  let scores: unknown;
  try { scores = JSON.parse(scoresJson); } catch { return null; }
  if (scores === null || typeof scores !== 'object') return null;
  const byKey = new Map<string, number>();
  for (const [cls, p] of Object.entries(scores as Record<string, unknown>)) {
    const k = classKey(cls)?.key;
    if (k !== undefined && typeof p === 'number' && Number.isFinite(p)) byKey.set(k, p);
  }
  const out: number[] = [];
  for (const c of space.classes) {
    const p = byKey.get(classKey(c)?.key ?? c);
    if (p === undefined) return null;
    out.push(p);
  }
  return out;
}

/**
 * Interns logged class values when no class list is known (compare, the gate): raw JSON text
 * → class slot, one slot per key. The per-row cost is a Map lookup, not a JSON.parse.
 */
export class LoggedClasses {
  private byText = new Map<string, number>();
  private byKey = new Map<string, number>();
  keys: string[] = [];
  numeric: boolean[] = [];

  slot(text: string): number {
    const s = this.byText.get(text);
    if (s !== undefined) return s;
    const k = classKeyOfText(text) ?? { key: text, numeric: false };
    let slot = this.byKey.get(k.key);
    if (slot === undefined) {
      slot = this.keys.length;
      this.keys.push(k.key);
      this.numeric.push(k.numeric);
      this.byKey.set(k.key, slot);
    }
    this.byText.set(text, slot);
    return slot;
  }

  /** Rank of each slot in the sorted class list (numeric order when all are numbers). */
  ranks(): Int32Array {
    const cmp = compareKeys(this.numeric.every(Boolean));
    const order = this.keys.map((_, i) => i);
    order.sort((x, y) => cmp(this.keys[x], this.keys[y]));
    const r = new Int32Array(this.keys.length);
    order.forEach((slot, rank) => { r[slot] = rank; });
    return r;
  }

  /** Slot of the positive class of a binary task. */
  positiveSlot(): number {
    if (this.keys.length === 0) return -1;
    if (this.keys.length === 1) return /^(1|yes)$/i.test(this.keys[0]) ? 0 : -1;
    const r = this.ranks();
    return r.indexOf(r.length - 1);
  }
}

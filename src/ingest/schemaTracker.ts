/**
 * Feature types, inferred from the first non-missing value seen of each
 * feature unless pinned in the config. A type is decided once and persisted,
 * so the drift engine's reference bins do not flip between runs.
 */
import type { SchemaField } from '../../store/ingestStore.js';
import type { FeatureValue } from './records.js';
import { isMissing } from '../core/values.js';

export type FeatureKind = 'numeric' | 'categorical';

/** A missing token ("NaN", "N/A", "") decides nothing: it must not make a numeric feature categorical. */
export function inferKind(v: FeatureValue): FeatureKind | null {
  if (isMissing(v)) return null;
  return typeof v === 'number' ? 'numeric' : 'categorical';
}

/** The feature names of a row in order, each with the kind its value says (null: missing, decides nothing). */
export type Shape = ReadonlyArray<readonly [name: string, kind: FeatureKind | null]>;

/**
 * The distinct shapes of rows, numbered in order of first sight. Rows of one stream mostly
 * share a handful of shapes, so the schema looks at a shape once, not at every row's features.
 */
export class ShapeTable {
  private readonly ids = new Map<string, number>();
  readonly all: Shape[] = [];

  private last = -1;

  shapeOf(features: Record<string, FeatureValue>): number {
    // Most rows have the shape of the row before: compared in place, no key string built.
    if (this.last >= 0) {
      const shape = this.all[this.last];
      let j = 0;
      let same = true;
      for (const name in features) {
        if (j >= shape.length || shape[j][0] !== name || shape[j][1] !== inferKind(features[name])) { same = false; break; }
        j++;
      }
      if (same && j === shape.length) return this.last;
    }
    let key = '';
    for (const name in features) {
      const kind = inferKind(features[name]);
      // length-prefixed: names are free text, no separator is safe
      key += `${name.length}:${name}${kind === null ? '-' : kind[0]}`;
    }
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.all.length;
      this.ids.set(key, id);
      this.all.push(Object.keys(features).map((name) => [name, inferKind(features[name])] as const));
    }
    this.last = id;
    return id;
  }

  /** Forgets every shape (a stream of ever-new names must not grow the table without bound). */
  clear(): void {
    this.last = -1;
    this.ids.clear();
    this.all.length = 0;
  }
}

/** Default bound on distinct feature names (ingest.maxFeatureNames). */
export const MAX_FEATURE_NAMES = 1000;

/**
 * The schema is bounded: a stream that puts ids or free text in feature *names* (10k distinct
 * names) would otherwise grow one schema row, one drift accumulator and one screen row per
 * name. A row that would add a name past the bound is refused whole (ingest quarantines it,
 * with the reason), so nothing is silently dropped and the operator can raise the bound.
 */
export class SchemaTracker {
  private readonly known = new Map<string, SchemaField>();

  constructor(existing: SchemaField[] = [], readonly maxNames = MAX_FEATURE_NAMES) {
    for (const f of existing) this.known.set(f.name, f);
  }

  /** Fields first seen in these rows, to persist with the batch; names past the bound are not taken. */
  observe(rows: Iterable<{ features: Record<string, FeatureValue> }>): SchemaField[] {
    return this.admit([...rows]).added;
  }

  /**
   * Fields first seen in these rows, and the indices of the rows refused because they would
   * take the schema past `maxNames` distinct names (their names are not taken).
   */
  admit(rows: ReadonlyArray<{ features: Record<string, FeatureValue> }>): { added: SchemaField[]; refused: Array<{ index: number; name: string }> } {
    const shapes = new ShapeTable();
    const ids = rows.map((r) => shapes.shapeOf(r.features));
    return this.admitShapes(shapes.all, ids);
  }

  /**
   * `admit` for rows described by their shapes (a parse worker sends a shape id per row, not
   * the feature objects): `rowShape[i]` indexes `shapes`.
   */
  admitShapes(shapes: readonly Shape[], rowShape: ArrayLike<number>): { added: SchemaField[]; refused: Array<{ index: number; name: string }> } {
    const added: SchemaField[] = [];
    const refused: Array<{ index: number; name: string }> = [];
    // A shape whose names were all known stays so (names are only taken back after a failed commit, never during one).
    const settled = new Set<number>();
    for (let index = 0; index < rowShape.length; index++) {
      const id = rowShape[index];
      if (settled.has(id)) continue;
      let fresh: SchemaField[] | null = null;
      for (const [name, kind] of shapes[id]) {
        if (kind === null || this.known.has(name)) continue;
        (fresh ??= []).push({ name, kind, source: 'inferred' });
      }
      if (fresh === null) {
        settled.add(id);
        continue;
      }
      if (this.known.size + fresh.length > this.maxNames) {
        refused.push({ index, name: fresh[0].name });
        continue;
      }
      for (const f of fresh) {
        if (this.known.has(f.name)) continue;
        this.known.set(f.name, f);
        added.push(f);
      }
      settled.add(id);
    }
    return { added, refused };
  }

  /**
   * Takes back fields returned by `observe` whose batch did not commit, so the
   * retry of that batch persists them instead of taking them as known.
   */
  forget(fields: SchemaField[]): void {
    for (const f of fields) if (this.known.get(f.name) === f) this.known.delete(f.name);
  }

  get fields(): SchemaField[] {
    return [...this.known.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  kinds(): Record<string, FeatureKind> {
    const out: Record<string, FeatureKind> = {};
    for (const f of this.fields) out[f.name] = f.kind;
    return out;
  }
}

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
    const added: SchemaField[] = [];
    const refused: Array<{ index: number; name: string }> = [];
    rows.forEach((r, index) => {
      let fresh: SchemaField[] | null = null;
      for (const name in r.features) {
        if (this.known.has(name)) continue;
        const kind = inferKind(r.features[name]);
        if (kind === null) continue;
        (fresh ??= []).push({ name, kind, source: 'inferred' });
      }
      if (fresh === null) return;
      if (this.known.size + fresh.length > this.maxNames) {
        refused.push({ index, name: fresh[0].name });
        return;
      }
      for (const f of fresh) {
        if (this.known.has(f.name)) continue;
        this.known.set(f.name, f);
        added.push(f);
      }
    });
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

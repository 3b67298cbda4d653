/**
 * Feature types, inferred from the first non-missing value seen of each
 * feature unless pinned in the config. A type is decided once and persisted,
 * so the drift engine's reference bins do not flip between runs.
 */
import type { SchemaField } from '../../store/ingestStore.js';
import type { FeatureValue } from './records.js';
import { isMissing } from '../drift/values.js';

export type FeatureKind = 'numeric' | 'categorical';

/** A missing token ("NaN", "N/A", "") decides nothing: it must not make a numeric feature categorical. */
export function inferKind(v: FeatureValue): FeatureKind | null {
  if (isMissing(v)) return null;
  return typeof v === 'number' ? 'numeric' : 'categorical';
}

export class SchemaTracker {
  private readonly known = new Map<string, SchemaField>();

  constructor(existing: SchemaField[] = []) {
    for (const f of existing) this.known.set(f.name, f);
  }

  /** Fields first seen in these rows, to persist with the batch. */
  observe(rows: Iterable<{ features: Record<string, FeatureValue> }>): SchemaField[] {
    const added: SchemaField[] = [];
    for (const r of rows) {
      for (const name in r.features) {
        if (this.known.has(name)) continue;
        const kind = inferKind(r.features[name]);
        if (kind === null) continue;
        const f: SchemaField = { name, kind, source: 'inferred' };
        this.known.set(name, f);
        added.push(f);
      }
    }
    return added;
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

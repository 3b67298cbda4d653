/**
 * Cleaner retraining: what a retrain does with rows flagged by the quality checks.
 * `keep` trains on them as logged; `exclude` leaves them out; `repair` replaces each flagged
 * value by a draw from the reference distribution (the retrained model's training profile),
 * the same replacement the cleaning-gain estimate uses, so a repaired row keeps its label and
 * its clean features. Pure apart from the seeded draws.
 */
import type { Rng } from '../util/random.js';

export type ViolationMode = 'keep' | 'exclude' | 'repair';
export const VIOLATION_MODES: readonly ViolationMode[] = ['keep', 'exclude', 'repair'];

export interface CleanedRows<T> {
  rows: T[];
  /** rows with at least one flag */
  flagged: number;
  /** rows left out (exclude) or values replaced (repair) */
  changed: number;
}

export function applyViolations(
  rows: readonly Record<string, unknown>[],
  ids: readonly string[],
  flags: ReadonlyMap<string, ReadonlySet<string>>,
  mode: ViolationMode,
  samplers: ReadonlyMap<string, (rng: Rng) => unknown>,
  rng: Rng,
): CleanedRows<Record<string, unknown>> {
  if (rows.length !== ids.length) throw new Error(`applyViolations: ${rows.length} rows, ${ids.length} ids`);
  const out: Record<string, unknown>[] = [];
  let flagged = 0;
  let changed = 0;
  for (let i = 0; i < rows.length; i++) {
    const f = flags.get(ids[i]!);
    if (!f || f.size === 0) {
      out.push(rows[i]!);
      continue;
    }
    flagged++;
    if (mode === 'keep') out.push(rows[i]!);
    else if (mode === 'exclude') changed++;
    else {
      const r = { ...rows[i]! };
      for (const feature of f) {
        const s = samplers.get(feature);
        if (s) {
          r[feature] = s(rng);
          changed++;
        }
      }
      out.push(r);
    }
  }
  return { rows: out, flagged, changed };
}

/**
 * The drift methods a feature may be compared with, and the names the config accepts for them.
 * Kept apart from columnDrift.ts so that loading the config (every command, at start-up) does
 * not load the statistics.
 */
export type DriftMethod = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi';

export const DRIFT_METHODS: readonly DriftMethod[] = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi'];

/** Other spellings people write (scipy's chi2, Evidently's jensenshannon with a dash). */
const ALIASES: Readonly<Record<string, DriftMethod>> = { chi2: 'chisquare', 'chi-square': 'chisquare', 'jensen-shannon': 'jensenshannon' };

/** Methods that need a numeric feature. */
export const NUMERIC_ONLY_METHODS: ReadonlySet<DriftMethod> = new Set(['ks', 'wasserstein']);

/** The method a name means, or null when it is none. */
export function parseDriftMethod(name: string): DriftMethod | null {
  const n = name.trim().toLowerCase();
  if ((DRIFT_METHODS as readonly string[]).includes(n)) return n as DriftMethod;
  return ALIASES[n] ?? null;
}

/** For error messages: "ks, chisquare (or chi2), z, ...". */
export function driftMethodList(): string {
  return DRIFT_METHODS.map((m) => (m === 'chisquare' ? 'chisquare (or chi2)' : m)).join(', ');
}

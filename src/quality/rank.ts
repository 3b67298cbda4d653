/**
 * Problems ranked by how much the model relies on the feature: importance × effect, so that
 * a large problem on a feature the model ignores does not outrank a smaller one on a feature
 * it depends on. Pure.
 *
 * Importance is the permutation importance stored with the model (increase of log loss);
 * negative values (noise on an unused feature) count as 0. A model trained before importance
 * was stored has none: then every feature weighs 1 and the ranking is by effect alone.
 */
export interface Ranked<T> {
  item: T;
  importance: number | null;
  weighted: number;
}

export function rankByImportance<T>(items: readonly T[], featureOf: (t: T) => string, effectOf: (t: T) => number,
  importance: Readonly<Record<string, number>> | null): Ranked<T>[] {
  return items
    .map((item) => {
      const imp = importance ? (importance[featureOf(item)] ?? 0) : null;
      const e = effectOf(item);
      return { item, importance: imp, weighted: (imp === null ? 1 : Math.max(0, imp)) * (Number.isFinite(e) ? e : 0) };
    })
    .sort((a, b) => b.weighted - a.weighted || featureOf(a.item).localeCompare(featureOf(b.item)));
}

/**
 * The Drift screen's rows: the model's features ranked by importance × PSI, then the rows that
 * are not features (label drift, prediction drift, the multivariate check) in their order.
 */
export function rankDriftRows<T extends { name: string; psi?: number }>(rows: readonly T[], features: readonly string[],
  importance: Readonly<Record<string, number>> | null): Array<T & { importance: number | null; weighted: number | null }> {
  const isFeature = (r: T): boolean => r.psi !== undefined && features.includes(r.name);
  const rest = rows.filter((r) => !isFeature(r)).map((r) => ({ ...r, importance: null, weighted: null }));
  const ranked = rankByImportance(rows.filter(isFeature), (r) => r.name, (r) => r.psi!, importance)
    .map((x) => ({ ...x.item, importance: x.importance, weighted: x.weighted }));
  return [...ranked, ...rest];
}

/**
 * Which open alerts page a person. Alerts carry their severity (`page` | `info`, issue 12) and
 * that decides; a snapshot from before severities existed falls back to what paged then: drift
 * of a feature, of the dataset or of the multivariate reconstruction.
 */
import type { AlertRow } from './snapshot.js';

export function isPageAlert(a: AlertRow): boolean {
  const severity = (a as AlertRow & { severity?: string }).severity;
  if (severity !== undefined) return severity === 'page';
  return a.level === 'drift' && (a.kind === 'data-drift' || a.kind === 'feature-drift' || a.kind === 'dataset-drift' || a.kind === 'multivariate');
}

/** A feature's alert names the cause; at the same time it goes before the dataset's. */
export function causeFirst(a: AlertRow, b: AlertRow): number {
  const rank = (x: AlertRow): number => (x.kind === 'data-drift' || x.kind === 'feature-drift' ? 0 : 1);
  return a.at - b.at || rank(a) - rank(b);
}

/** Which open alerts page a person (their severity, issue 12), and in what order they began. */
import type { AlertRow } from './snapshot.js';

export function isPageAlert(a: AlertRow): boolean {
  return a.severity === 'page';
}

/** Event time the alert's condition started at (older snapshots: when it opened). */
export function eventTimeOf(a: AlertRow): number {
  return a.since ?? a.at;
}

/** A feature's alert names the cause; at the same time it goes before the dataset's. */
export function causeFirst(a: AlertRow, b: AlertRow): number {
  const rank = (x: AlertRow): number => (x.kind === 'data-drift' || x.kind === 'feature-drift' ? 0 : 1);
  return eventTimeOf(a) - eventTimeOf(b) || rank(a) - rank(b);
}

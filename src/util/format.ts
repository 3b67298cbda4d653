/**
 * Values for a person: percentages, compact counts, p-values, short UTC times, durations.
 * The console's cells, its dialogs and the CLI's human (non-`--json`) output all use these,
 * so a figure reads the same wherever it is shown. Missing or non-finite values are a dash.
 */
import { formatMinute, formatShort, formatShortMinute } from '../core/time.js';

export const dash = '–';

const missing = (x: number | null | undefined): x is null | undefined => x === null || x === undefined || !Number.isFinite(x);

export function num(x: number | null | undefined, digits = 3): string {
  return missing(x) ? dash : x.toFixed(digits);
}

export function pct(x: number | null | undefined, digits = 1): string {
  return missing(x) ? dash : (x * 100).toFixed(digits) + '%';
}

/** A difference of shares in percentage points, with its sign: "+2.6". */
export function signedPct(x: number | null | undefined, digits = 1): string {
  return missing(x) ? dash : (x >= 0 ? '+' : '') + (x * 100).toFixed(digits);
}

/** Compact counts: 950, 12.3k, 4.56M. */
export function count(n: number | null | undefined): string {
  if (missing(n)) return dash;
  const a = Math.abs(n);
  if (a < 10_000) return String(Math.round(n));
  if (a < 1_000_000) return (n / 1000).toFixed(a < 100_000 ? 1 : 0) + 'k';
  if (a < 1_000_000_000) return (n / 1_000_000).toFixed(a < 100_000_000 ? 2 : 0) + 'M';
  return (n / 1_000_000_000).toFixed(2) + 'G';
}

export function pval(p: number | null | undefined): string {
  if (missing(p)) return dash;
  if (p === 0) return '<1e-300';
  if (p >= 0.001) return p.toFixed(3);
  return p.toExponential(0);
}

/** UTC "MM-DD HH:MM:SS": the host may be anywhere, the log is in UTC. */
export function time(ms: number | null | undefined): string {
  return missing(ms) ? dash : formatShort(ms);
}

/** UTC "MM-DD HH:MM": when an alert fired; the seconds say nothing there. */
export function minute(ms: number | null | undefined): string {
  return missing(ms) ? dash : formatShortMinute(ms);
}

/** UTC "YYYY-MM-DD HH:MM": an event time where the year matters (the demo replays 2001). */
export function dateTime(ms: number | null | undefined): string {
  return missing(ms) ? dash : formatMinute(ms);
}

export function duration(seconds: number | null | undefined): string {
  if (missing(seconds)) return dash;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** An interval of a difference of shares, in points: "[+1.5,+3.8]". */
export function interval(ci: readonly [number, number] | null | undefined): string {
  if (!ci) return dash;
  return `[${signedPct(ci[0])},${signedPct(ci[1])}]`;
}

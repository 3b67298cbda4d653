/**
 * The one rule for times: what a time or a duration may be written as, and how one is shown.
 * Every time is ms since the epoch and shown in UTC (the data's days are UTC days: a replay of
 * 2001 data shows 2001, whatever the operator's time zone).
 *
 * Accepted times: ISO 8601 (`2001-02-03`, `2001-02-03T14:05`, `2001-02-03 14:05:00.5+01:00`;
 * a date alone, or a time without a zone, is UTC) and epoch milliseconds (a number, or a
 * string of digits). Durations: `90s`, `30m`, `2h`, `1d`, `250ms` or a plain number of ms.
 */

const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/i;
const EPOCH_TEXT = /^\d+(\.\d+)?$/;

/** Epoch ms of an ISO 8601 text or epoch milliseconds (a non-negative number or digits), else null. */
export function parseTime(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
  if (typeof v !== 'string') return null;
  // Consecutive log lines often carry the same time (a request scored by several models):
  // the last text read is remembered (ingest spends a tenth of its parsing here).
  if (v === lastText) return lastTime;
  const t = parseTimeText(v);
  lastText = v;
  lastTime = t;
  return t;
}

let lastText: string | null = null;
let lastTime: number | null = null;

function parseTimeText(v: string): number | null {
  const s = v.trim();
  if (EPOCH_TEXT.test(s)) return Math.round(Number(s));
  const m = ISO_TIME.exec(s);
  if (!m) return null;
  // No zone means UTC, as a date alone does: never the local zone of whoever runs the command.
  const zone = m[3] === undefined ? 'Z' : m[3].toUpperCase() === 'Z' ? 'Z' : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3];
  const t = Date.parse(`${m[1]}T${m[2] ?? '00:00'}${zone}`);
  // A written date before 1970 is a time (the ingest's range check refuses it with its reason).
  return Number.isFinite(t) ? t : null;
}

/**
 * parseTime that throws one sentence naming what was parsed (`name` e.g. "--since"); `error`
 * makes it the caller's kind of error (a usage error exits 2, a refused retrain is reported).
 */
export function requireTime(v: unknown, name: string, error: (message: string) => Error = (m) => new RangeError(m)): number {
  const t = parseTime(v);
  if (t === null) throw error(`${name} "${String(v)}" is not an ISO 8601 time or epoch milliseconds`);
  return t;
}

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses "90s", "30m", "2h", "1d", "250ms" (or a plain number of milliseconds) into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not a duration: use e.g. 90s, 30m, 2h or 1d`);
  return Number(m[1]) * UNITS[(m[2] ?? 'ms') as keyof typeof UNITS];
}

/**
 * `--since`: an ISO 8601 time, or a duration counted back from `latest` (the newest logged
 * prediction, not the wall clock, so a replay of 2001 data still has a "last hour"). Null
 * when no text, or a duration and nothing logged yet.
 */
export function resolveSince(text: string | undefined, latest: number | null): number | null {
  if (text === undefined) return null;
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const t = parseTime(text);
    if (t === null) throw new RangeError(`"${text}" is not a time: use ISO 8601 or a duration such as 6h`);
    return t;
  }
  const ms = parseDuration(text);
  return latest === null ? null : latest - ms;
}

/** 2001-02-03 */
export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** 2001-02-03 14:05 */
export function formatMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** 2001-02-03 14:05:09 */
export function formatSecond(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** 02-03 14:05:09, for the console's narrow time columns. */
export function formatShort(ms: number): string {
  return new Date(ms).toISOString().slice(5, 19).replace('T', ' ');
}

/** 02-03 14:05, when an alert fired: the seconds say nothing there. */
export function formatShortMinute(ms: number): string {
  return new Date(ms).toISOString().slice(5, 16).replace('T', ' ');
}

/** 2001-02-03T14:05:09.123Z, for logs and JSON. */
export function isoTime(ms: number): string {
  // serve writes one line per model for each request, all with the request's time.
  if (ms !== lastIsoMs) {
    lastIso = new Date(ms).toISOString();
    lastIsoMs = ms;
  }
  return lastIso;
}

let lastIsoMs = NaN;
let lastIso = '';

/** 2001-02-03T14:05:09Z */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

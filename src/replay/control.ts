/**
 * The demo replay's control channel: a small JSON file the replay process polls every tick
 * (pause, rate) and a status file it writes back (its event clock, whether it honoured the
 * pause). Files, not a socket: the replay is a separate process that may start before or after
 * the console, and either can restart without the other noticing. Both are replaced by an
 * atomic rename, so a reader never sees half a file.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface ReplayControl {
  paused: boolean;
  rate: number;             // rows per second of wall time
  /** auto-stops of the demo already made (so a restarted console does not stop twice) */
  stops: string[];
  /** why the demo paused by itself and what to do next; cleared on resume */
  hint: string | null;
  /**
   * An event time the replay holds at by itself, before writing the first row at or after it
   * (so what is in the logs at a stop is the same whatever the rate or the machine's load).
   */
  holdAt?: number | null;
}

export interface ReplayStatus {
  at: number;               // wall time of this status
  eventTime: number | null; // the replay's event clock (ms)
  rows: number;             // rows replayed so far
  paused: boolean;          // the replay is holding (a paused control, or its holdAt reached)
  rate: number;             // the rate it is running at
  done: boolean;            // the data has ended
}

/** Rates `+` and `-` step through (rows per second). */
export const RATE_STEPS = [25, 50, 100, 200, 400, 800, 1600, 3200, 6400] as const;

export function stepRate(rate: number, dir: 1 | -1): number {
  if (dir > 0) return RATE_STEPS.find((r) => r > rate) ?? RATE_STEPS[RATE_STEPS.length - 1];
  return [...RATE_STEPS].reverse().find((r) => r < rate) ?? RATE_STEPS[0];
}

export function statusPathOf(controlPath: string): string {
  return controlPath.replace(/\.json$/, '') + '.status.json';
}

function writeAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/** The control as written, or null when there is none (or it is unreadable). */
export function readControl(path: string): ReplayControl | null {
  const v = readJson(path) as Partial<ReplayControl> | null;
  if (!v || typeof v !== 'object' || typeof v.rate !== 'number' || !(v.rate > 0)) return null;
  return {
    paused: v.paused === true,
    rate: v.rate,
    stops: Array.isArray(v.stops) ? v.stops.filter((s): s is string => typeof s === 'string') : [],
    hint: typeof v.hint === 'string' ? v.hint : null,
    holdAt: typeof v.holdAt === 'number' ? v.holdAt : null,
  };
}

export function writeControl(path: string, c: ReplayControl): void {
  writeAtomic(path, c);
}

export function readStatus(path: string): ReplayStatus | null {
  const v = readJson(path) as Partial<ReplayStatus> | null;
  if (!v || typeof v !== 'object' || typeof v.rows !== 'number') return null;
  return {
    at: typeof v.at === 'number' ? v.at : 0,
    eventTime: typeof v.eventTime === 'number' ? v.eventTime : null,
    rows: v.rows,
    paused: v.paused === true,
    rate: typeof v.rate === 'number' ? v.rate : 0,
    done: v.done === true,
  };
}

export function writeStatus(path: string, s: ReplayStatus): void {
  writeAtomic(path, s);
}

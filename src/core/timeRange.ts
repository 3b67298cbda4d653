/**
 * The sane range of an event time. A row dated 9999-12-31 makes every later
 * row "late" (no drift window closes again), and an epoch above 8.64e15 ms is
 * not a date at all (`new Date(9e15).toISOString()` throws), so both are
 * refused where rows enter: ingest quarantines them, `serve` answers 400.
 *
 * The upper bound follows whichever is later, the wall clock or the newest
 * row accepted so far, so a replay of old data and a stream slightly ahead
 * of this host's clock both pass, while a far-future time never does.
 */
export interface TimeRangeRule {
  /** Earliest accepted event time, epoch ms (default 1970-01-01). */
  notBefore: number;
  /** How far ahead of max(wall clock, newest accepted row) a time may be, ms (default one day). */
  maxAheadMs: number;
}

export const DEFAULT_TIME_RANGE: TimeRangeRule = { notBefore: 0, maxAheadMs: 86_400_000 };

/** The largest epoch millisecond a JavaScript Date can hold. */
export const MAX_DATE_MS = 8.64e15;

function iso(ms: number): string {
  return Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : String(ms);
}

export class TimeRange {
  private newest: number;

  constructor(
    readonly rule: TimeRangeRule = DEFAULT_TIME_RANGE,
    newestStored: number | null = null,
    private readonly now: () => number = Date.now,
  ) {
    // A row stored before this rule existed may itself be absurd: it does not widen the range.
    const wall = this.now();
    this.newest = newestStored !== null && newestStored <= wall + rule.maxAheadMs ? newestStored : -Infinity;
  }

  /** Latest accepted time right now. */
  upperBound(): number {
    return Math.max(this.now(), this.newest) + this.rule.maxAheadMs;
  }

  /** Why `ts` is refused, in one phrase, or null when it is in range (and then counts as accepted). */
  admit(ts: number): string | null {
    if (!Number.isFinite(ts) || ts < this.rule.notBefore) return `time ${iso(ts)} is before ${iso(this.rule.notBefore)}`;
    const upper = this.upperBound();
    if (ts > upper) return `time ${iso(ts)} is more than ${this.rule.maxAheadMs / 3_600_000} h ahead of the newest row and the clock (latest accepted ${iso(upper)})`;
    if (ts > this.newest) this.newest = ts;
    return null;
  }
}

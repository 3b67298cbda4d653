/**
 * Formatting for dense cells. Every function returns a plain, safe string: text is sanitised,
 * then measured and cut per grapheme in terminal cells (CJK and emoji take two). The number
 * formatters are the project's one set (`src/util/format.ts`).
 */
import { sanitize } from '../src/util/sanitize.js';
import { clipWidth, cutToWidth, fitWidth, textWidth } from '../src/util/textWidth.js';
import { dateTime } from '../src/util/format.js';

export { count, dash, dateTime, duration, interval, minute, num, pct, pval, signedPct, time } from '../src/util/format.js';
export { textWidth } from '../src/util/textWidth.js';

/** A window or period bound: the day alone at midnight UTC (daily windows, whole-day periods), else day and minute. */
export function day(ms: number | null | undefined): string {
  return dateTime(ms).replace(/ 00:00$/, '');
}

/** Pad or cut `s` to exactly `width` cells; cut text ends in an ellipsis. */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  return fitWidth(sanitize(s), width, align);
}

/** Cut a whole line to the terminal width, without padding. */
export function clip(s: string, width: number): string {
  return clipWidth(sanitize(s), width);
}

/** Word-wrap to `width` cells; words longer than a line are cut hard (in whole graphemes). */
export function wrap(s: string, width: number): string[] {
  const clean = sanitize(s);
  if (width <= 0) return [];
  const out: string[] = [];
  let line = '';
  let lineW = 0;
  for (const word of clean.split(' ')) {
    let w = word;
    let ww = textWidth(w);
    while (ww > width) {
      if (line) {
        out.push(line);
        line = '';
        lineW = 0;
      }
      const cut = cutToWidth(w, width);
      // A grapheme wider than the whole line (a wide character at width 1) is dropped, not looped on.
      const head = cut.text || cutToWidth(w, 2).text;
      if (cut.text) out.push(cut.text);
      w = w.slice(head.length);
      ww = textWidth(w);
    }
    if (!line) {
      line = w;
      lineW = ww;
    } else if (lineW + 1 + ww <= width) {
      line += ' ' + w;
      lineW += 1 + ww;
    } else {
      out.push(line);
      line = w;
      lineW = ww;
    }
  }
  if (line || out.length === 0) out.push(line);
  return out;
}

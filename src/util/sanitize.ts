/**
 * Strip everything a terminal would interpret, or that would mislead the operator, from a
 * string that came from a log. This is the one sanitiser: the console, the CLI and the engine
 * all call it.
 *
 * Model names, feature names, categories and quarantined lines are attacker-controlled: an
 * OSC sequence can retitle the window, a CSI can clear the screen, a lone C1 byte can start a
 * sequence on terminals that honour 8-bit controls. Whole sequences go, with their payload,
 * so `\u001b]0;owned\u0007` leaves nothing behind. Invisible characters go too: bidi controls
 * (they reorder what the operator reads), zero-width spaces and joiners and every other
 * default-ignorable or format character (they make two names that look equal differ, and
 * terminals disagree on their width, which misaligns columns), and lone surrogates. Tabs and
 * line breaks become spaces so a value stays on its line.
 *
 * Two names that differ only in what was stripped would display alike (five hostile names all
 * showing as `m@1`), so a string that lost anything gets a short suffix, `~` and four
 * characters hashed from what was removed and where: `m\u0007` shows as `m~1k2z`, and the same
 * name inside `m\u0007@1` gets the same suffix. Variation selectors (emoji vs text
 * presentation) are dropped without one: they change no meaning.
 */

import { clipWidth } from './textWidth.js';

// Alternatives in priority order: whole sequences first, then stray introducers and single
// invisible characters. One pass, left to right.
const OSC = /(?:\u001b\]|\u009d)[\s\S]*?(?:\u0007|\u001b\\|\u009c|$)/;
const STRING_SEQ = /(?:\u001b[PX^_]|[\u0090\u0098\u009e\u009f])[\s\S]*?(?:\u001b\\|\u009c|$)/;
const CSI = /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?/;
const ESC_OTHER = /\u001b[\u0020-\u002f]*[\u0030-\u007e]?/;
const BREAK = /[\t\n\r\u2028\u2029]/;
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}]/u;
const REMOVE = new RegExp([OSC, STRING_SEQ, CSI, ESC_OTHER, BREAK, INVISIBLE].map((r) => `(?:${r.source})`).join('|'), 'gu');

const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;
const ANY = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}]/u;
const SILENT = /^[\t\n\r\u2028\u2029\ufe00-\ufe0f]$/;

/** The suffix that tells apart strings that lost different invisible parts. */
function tag(removed: string): string {
  // FNV-1a, 32 bits: short, stable across runs and processes.
  let h = 0x811c9dc5;
  for (let i = 0; i < removed.length; i++) {
    h ^= removed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return '~' + (h >>> 0).toString(36).padStart(4, '0').slice(-4);
}

export function sanitize(s: unknown, max?: number): string {
  if (s === null || s === undefined) return '';
  let out = typeof s === 'string' ? s : String(s);
  // Fast path: most strings are clean and this runs on every cell of every frame.
  if (!ASCII_PRINTABLE.test(out) && ANY.test(out)) {
    let removed = '';
    let shift = 0; // output offset minus input offset so far
    out = out.replace(REMOVE, (m: string, offset: number) => {
      const keep = BREAK.test(m) && m.length === 1 ? ' ' : '';
      if (!SILENT.test(m)) removed += `${offset + shift}:${m}|`;
      shift += keep.length - m.length;
      return keep;
    });
    if (removed) out += tag(removed);
  }
  if (max !== undefined && max >= 0) out = clipWidth(out, max);
  return out;
}

/** Deep copy of plain data with every string sanitised; numbers, booleans and null pass through. */
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitize(value) as T;
  if (Array.isArray(value)) return value.map((v) => sanitizeDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = sanitizeDeep(v);
    return out as T;
  }
  return value;
}

/**
 * Strip everything a terminal would interpret from a string that came from a log.
 *
 * Model names, feature names, categories and quarantined lines are attacker-controlled: an
 * OSC sequence can retitle the window, a CSI can clear the screen, a lone C1 byte can start a
 * sequence on terminals that honour 8-bit controls. Whole sequences go, with their payload,
 * so `\u001b]0;owned\u0007` leaves nothing behind. Bidi overrides go too (they reorder what
 * the operator reads). Tabs and line breaks become spaces so a value stays on its line.
 */

// Order matters: whole sequences first, then stray introducers and single control characters.
const OSC = /(?:\u001b\]|\u009d)[\s\S]*?(?:\u0007|\u001b\\|\u009c|$)/g;
const STRING_SEQ = /(?:\u001b[PX^_]|[\u0090\u0098\u009e\u009f])[\s\S]*?(?:\u001b\\|\u009c|$)/g;
const CSI = /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?/g;
const ESC_OTHER = /\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;
const BREAKS = /[\t\n\r\u2028\u2029]/g;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function sanitize(s: unknown, max?: number): string {
  if (s === null || s === undefined) return '';
  let out = typeof s === 'string' ? s : String(s);
  // Fast path: most strings are clean and this runs on every cell of every frame.
  if (/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/.test(out)) {
    out = out
      .replace(OSC, '')
      .replace(STRING_SEQ, '')
      .replace(CSI, '')
      .replace(ESC_OTHER, '')
      .replace(BREAKS, ' ')
      .replace(CONTROLS, '');
  }
  if (max !== undefined && max >= 0 && out.length > max) {
    out = max === 0 ? '' : out.slice(0, max - 1) + '…';
  }
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

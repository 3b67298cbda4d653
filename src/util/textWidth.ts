/**
 * Display width in terminal cells, measured per grapheme with `string-width` (the library Ink
 * itself measures with, so our layout and Ink's agree). A cut never splits a grapheme: an emoji
 * or a letter with its combining marks is kept whole or dropped whole, never left as U+FFFD.
 *
 * Plain printable ASCII (almost every cell the console draws) takes a fast path: one cell per
 * character, no segmentation.
 */
import stringWidth from 'string-width';

const ASCII = /^[\x20-\x7e]*$/;
const segmenter = new Intl.Segmenter();

// Measuring by grapheme costs microseconds per string; the same names come back every frame.
const cache = new Map<string, number>();
const CACHE_MAX = 4096;

/** Cells `s` takes on a terminal. */
export function textWidth(s: string): number {
  if (ASCII.test(s)) return s.length;
  let w = cache.get(s);
  if (w === undefined) {
    w = stringWidth(s);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(s, w);
  }
  return w;
}

/** The longest prefix of `s` of at most `width` cells, in whole graphemes, and its width. */
export function cutToWidth(s: string, width: number): { text: string; width: number } {
  if (width <= 0) return { text: '', width: 0 };
  if (ASCII.test(s)) {
    const text = s.length > width ? s.slice(0, width) : s;
    return { text, width: text.length };
  }
  let text = '';
  let used = 0;
  for (const { segment } of segmenter.segment(s)) {
    const w = stringWidth(segment);
    if (used + w > width) break;
    text += segment;
    used += w;
  }
  return { text, width: used };
}

/**
 * Exactly `width` cells: padded with spaces, or cut in whole graphemes and ended with an
 * ellipsis (a wide character that does not fit leaves a space before it, so the cell count holds).
 */
export function fitWidth(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const w = textWidth(s);
  if (w <= width) {
    const pad = ' '.repeat(width - w);
    return align === 'right' ? pad + s : s + pad;
  }
  const cut = cutToWidth(s, width - 1);
  return cut.text + '…' + ' '.repeat(width - 1 - cut.width);
}

/** At most `width` cells, cut in whole graphemes with an ellipsis; never padded. */
export function clipWidth(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  if (width === 1) return '…';
  return cutToWidth(s, width - 1).text + '…';
}

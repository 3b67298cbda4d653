/**
 * Reading a table back from a captured pane, in terminal cells: each line becomes one entry per
 * cell (a wide character fills two), so column edges can be compared between the header and the
 * rows the way the terminal laid them out.
 */
import { cells } from './tmux.js';

/** One string per terminal cell; the second cell of a wide character is ''. */
export function toCells(line: string): string[] {
  const out: string[] = [];
  for (const ch of line) {
    out.push(ch);
    if (cells(ch) === 2) out.push('');
  }
  return out;
}

export interface HeaderColumn { title: string; start: number; end: number }

/** Column titles of a header line (titles are single words here) with their cell spans. */
export function headerColumns(line: string): HeaderColumn[] {
  const c = toCells(line);
  const out: HeaderColumn[] = [];
  let i = 0;
  while (i < c.length) {
    if (c[i] === ' ') { i++; continue; }
    const start = i;
    while (i < c.length && c[i] !== ' ') i++;
    out.push({ title: c.slice(start, i).join(''), start, end: i });
  }
  return out;
}

/**
 * Problems with a row against its header: a right-aligned column must end where its title
 * ends, a left-aligned one start where its title starts, each with a space (or the line's end)
 * on its outer side.
 */
export function misaligned(header: string, row: string, align: Record<string, 'left' | 'right'>): string[] {
  const cols = headerColumns(header);
  const r = toCells(row);
  const at = (i: number): string => (i < 0 || i >= r.length ? ' ' : r[i]);
  const problems: string[] = [];
  for (const col of cols) {
    const a = align[col.title];
    if (a === 'right' && (at(col.end - 1) === ' ' || at(col.end) !== ' ')) problems.push(`${col.title}: value does not end at cell ${col.end}`);
    if (a === 'left' && (at(col.start) === ' ' || at(col.start - 1) !== ' ')) problems.push(`${col.title}: value does not start at cell ${col.start}`);
  }
  return problems;
}

/**
 * A dense table of our own: one <Text> per row, fixed height, the window scrolls with the
 * selection instead of growing. @alcalzone/ink-table draws a Box per cell and grows with its
 * rows, too slow and too tall for 80x24.
 *
 * Column widths come from the content, measured in terminal cells: a statistic is as wide as
 * its widest value (or title) and is cut last; a name is as wide as its longest value, capped so
 * one long name cannot take the line, and gives way before any statistic; free text (messages,
 * sparklines) takes what is left and gives way first. So nothing is cut that fits.
 */
import { useMemo } from 'react';
import { Box } from 'ink';
import { fit, textWidth } from '../format.js';
import { sanitize } from '../../src/util/sanitize.js';
import type { Tone } from '../theme.js';
import { Line } from './Line.js';

/** name: identifiers (model, feature); stat: figures, codes, times; text: free text that fills. */
export type ColumnKind = 'name' | 'stat' | 'text';

export interface Column<R> {
  title: string;
  kind?: ColumnKind;        // default: 'text' when `flex`, else 'stat'
  width?: number;           // least width it gives way to (default: its title's, 8 for names)
  flex?: boolean;           // same as kind 'text'
  align?: 'left' | 'right';
  /** The cell's text; `width` is the width the column got (a sparkline fills it), absent when measuring. */
  cell: (row: R, width?: number) => string;
}

const kindOf = <R,>(c: Column<R>): ColumnKind => c.kind ?? (c.flex ? 'text' : 'stat');

/** Names may take up to this share of the line together before they are capped (at least 20 cells each). */
const NAME_SHARE = 0.45;

/** Widths of the columns for a line of `width` cells (a two-cell selection marker, one space between columns). */
export function layoutWidths<R>(columns: readonly Column<R>[], width: number, rows: readonly R[] = []): number[] {
  const avail = Math.max(0, width - 2 - Math.max(0, columns.length - 1));
  const kinds = columns.map(kindOf);
  const natural = columns.map((c) => {
    let w = Math.max(textWidth(c.title), c.width ?? 0);
    for (const r of rows) w = Math.max(w, textWidth(sanitize(c.cell(r))));
    return w;
  });
  const least = columns.map((c, i) =>
    Math.min(natural[i], Math.max(c.width ?? 0, textWidth(c.title), kinds[i] === 'name' ? 8 : 0)));
  // Names share a budget (NAME_SHARE of the line, at least 20 cells each): the shortest take what
  // they need, the rest is split among the longer ones.
  const nameIdx = columns.map((_, i) => i).filter((i) => kinds[i] === 'name').sort((a, b) => natural[a] - natural[b]);
  let budget = Math.max(20 * nameIdx.length, Math.floor(avail * NAME_SHARE));
  const capped = new Map<number, number>();
  nameIdx.forEach((i, k) => {
    const share = Math.floor(budget / (nameIdx.length - k));
    const w = Math.min(natural[i], Math.max(least[i], share));
    capped.set(i, w);
    budget -= w;
  });
  // Start from statistics whole, names up to their share, free text at its least.
  const out = natural.map((n, i) => (kinds[i] === 'name' ? capped.get(i)! : kinds[i] === 'text' ? least[i] : n));
  let left = avail - out.reduce((a, b) => a + b, 0);

  if (left < 0) {
    // Give way in order: names, then statistics, each down to its least width, the widest first.
    for (const k of ['name', 'stat', 'text'] as const) {
      while (left < 0) {
        let j = -1;
        for (let i = 0; i < out.length; i++) if (kinds[i] === k && out[i] > least[i] && (j < 0 || out[i] > out[j])) j = i;
        if (j < 0) break;
        out[j]--;
        left++;
      }
    }
    return out;
  }
  // Room to spare: free text up to its content, then names the cap cut, then free text fills the line.
  const grow = (which: (i: number) => boolean, limit: (i: number) => number): void => {
    let idx = out.map((_, i) => i).filter((i) => which(i) && out[i] < limit(i));
    while (left > 0 && idx.length > 0) {
      const share = Math.max(1, Math.floor(left / idx.length));
      for (const i of idx) {
        const add = Math.min(share, left, limit(i) - out[i]);
        out[i] += add;
        left -= add;
      }
      idx = idx.filter((i) => out[i] < limit(i));
    }
  };
  grow((i) => kinds[i] === 'text', (i) => natural[i]);
  grow((i) => kinds[i] === 'name', (i) => natural[i]);
  grow((i) => kinds[i] === 'text', () => Infinity);
  return out;
}

export interface TableProps<R> {
  columns: readonly Column<R>[];
  rows: readonly R[];
  selected: number | null;  // null: no selection marker (a table that is only read)
  height: number;           // lines including the header
  width: number;
  tone?: (row: R) => Tone | undefined;
  empty?: string;
}

/** First visible row: keeps the selection in view, centred once the list is longer than the window. */
export function windowStart(selected: number, total: number, visible: number): number {
  if (total <= visible) return 0;
  return Math.max(0, Math.min(total - visible, selected - Math.floor(visible / 2)));
}

/** One row's text: the marker, then each cell fitted to its column. */
export function rowText<R>(columns: readonly Column<R>[], widths: readonly number[], row: R, marker: string): string {
  return marker + columns.map((c, j) => fit(c.cell(row, widths[j]), widths[j], c.align)).join(' ');
}

export function Table<R>({ columns, rows, selected, height, width, tone, empty }: TableProps<R>) {
  const widths = useMemo(() => layoutWidths(columns, width, rows), [columns, width, rows]);
  const header = useMemo(
    () => '  ' + columns.map((c, i) => fit(c.title, widths[i], c.align)).join(' '),
    [columns, widths],
  );
  const visible = Math.max(0, height - 1);
  const sel = selected === null ? -1 : Math.min(selected, rows.length - 1);
  const start = windowStart(Math.max(0, sel), rows.length, visible);
  const shown = rows.slice(start, start + visible);
  const more = rows.length > visible ? ` ${start + 1}-${start + shown.length}/${rows.length}` : '';
  if (height <= 0) return null;
  return (
    <Box flexDirection="column" height={height}>
      <Line text={more ? fit(header, width - more.length) + more : header} width={width} tone="dim" bold />
      {shown.length === 0 && visible > 0 ? <Line text={'  ' + (empty ?? 'nothing yet')} width={width} tone="dim" /> : null}
      {shown.map((r, i) => {
        const isSel = start + i === sel;
        return <Line key={start + i} text={rowText(columns, widths, r, isSel ? '> ' : '  ')} width={width} tone={tone?.(r)} inverse={isSel} bold={isSel} />;
      })}
    </Box>
  );
}

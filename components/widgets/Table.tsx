/**
 * A dense table of our own: one <Text> per row, fixed height, the window scrolls with the
 * selection instead of growing, columns cut to the width. @alcalzone/ink-table draws a Box
 * per cell and grows with its rows, too slow and too tall for 80x24.
 */
import { useMemo } from 'react';
import { Box } from 'ink';
import { fit } from '../format.js';
import type { Tone } from '../theme.js';
import { Line } from './Line.js';

export interface Column<R> {
  title: string;
  width: number;            // minimum width; flex columns share what is left
  flex?: boolean;
  align?: 'left' | 'right';
  cell: (row: R) => string;
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

export function layoutWidths<R>(columns: readonly Column<R>[], width: number): number[] {
  const avail = width - 2 - (columns.length - 1);
  const fixed = columns.reduce((a, c) => a + c.width, 0);
  const flex = columns.filter((c) => c.flex).length;
  const extra = Math.max(0, avail - fixed);
  let given = 0;
  let seen = 0;
  return columns.map((c) => {
    if (!c.flex) return c.width;
    seen++;
    const share = seen === flex ? extra - given : Math.floor(extra / flex);
    given += share;
    return c.width + share;
  });
}

/** First visible row: keeps the selection in view, centred once the list is longer than the window. */
export function windowStart(selected: number, total: number, visible: number): number {
  if (total <= visible) return 0;
  return Math.max(0, Math.min(total - visible, selected - Math.floor(visible / 2)));
}

export function Table<R>({ columns, rows, selected, height, width, tone, empty }: TableProps<R>) {
  const widths = useMemo(() => layoutWidths(columns, width), [columns, width]);
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
        const text = (isSel ? '> ' : '  ') + columns.map((c, j) => fit(c.cell(r), widths[j], c.align)).join(' ');
        return <Line key={start + i} text={text} width={width} tone={tone?.(r)} inverse={isSel} bold={isSel} />;
      })}
    </Box>
  );
}

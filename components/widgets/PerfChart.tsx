/**
 * A model's metric per window, realised (labels) beside estimated (no labels needed), over the
 * reference band the estimate is judged against: one column per window (spread when there are
 * few), one glyph per series so it reads without colour — ● realised, ○ estimated, ◍ both in
 * one cell, ░ the band. The y axis is labelled in percent on the left.
 */
import { memo, useMemo } from 'react';
import { Box } from 'ink';
import { Line } from './Line.js';
import { pct } from '../format.js';

export interface PerfWindow {
  start: number;            // window start (event time)
  realised: number | null;  // the metric on labelled rows of the window
  estimated: number | null; // the label-free estimate
  lower: number | null;     // the reference band (or the estimate's sampling band)
  upper: number | null;
}

const LABEL = 7;            // "100.0% " / " 80.5% "
const REAL = '●';
const EST = '○';
const BOTH = '◍';
const BAND = '░';

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** The chart's text lines: `height` rows of `width` cells at most, newest windows kept. */
export function perfChartLines(windows: readonly PerfWindow[], width: number, height: number): string[] {
  const room = Math.max(1, width - LABEL);
  const shown = windows.slice(-room);
  const values = shown.flatMap((w) => [w.realised, w.estimated, w.lower, w.upper]).filter(finite);
  if (shown.length === 0 || values.length === 0 || height < 2) return ['no complete window yet'];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 0.01) {
    lo -= 0.005;
    hi += 0.005;
  }
  const rows = height;
  // Row 0 is the top; value v sits on the row nearest to it.
  const rowOf = (v: number): number => Math.round(((hi - v) / (hi - lo)) * (rows - 1));
  const colW = Math.max(1, Math.min(4, Math.floor(room / shown.length)));
  const grid: string[][] = Array.from({ length: rows }, () => Array.from({ length: shown.length * colW }, () => ' '));
  shown.forEach((w, i) => {
    for (let k = 0; k < colW; k++) {
      const x = i * colW + k;
      if (finite(w.lower) && finite(w.upper)) {
        for (let r = rowOf(w.upper); r <= rowOf(w.lower); r++) grid[r][x] = BAND;
      }
      const re = finite(w.realised) ? rowOf(w.realised) : -1;
      const es = finite(w.estimated) ? rowOf(w.estimated) : -1;
      if (es >= 0) grid[es][x] = EST;
      if (re >= 0) grid[re][x] = re === es ? BOTH : REAL;
    }
  });
  const label = (r: number): string => {
    if (r !== 0 && r !== rows - 1 && r !== Math.floor((rows - 1) / 2)) return ' '.repeat(LABEL);
    const v = hi - ((hi - lo) * r) / (rows - 1);
    return pct(v).padStart(LABEL - 1) + ' ';
  };
  return grid.map((cells, r) => label(r) + cells.join(''));
}

export interface PerfChartProps {
  title: string;
  windows: readonly PerfWindow[];
  width: number;
  height: number;           // lines, including the title
  bandLabel?: string;       // what the band is: the reference's thresholds (default) or the estimate's sampling band
}

export const PerfChart = memo(function PerfChart({ title, windows, width, height, bandLabel = 'reference band' }: PerfChartProps) {
  const lines = useMemo(() => perfChartLines(windows, width, Math.max(1, height - 1)), [windows, width, height]);
  if (height <= 0) return null;
  return (
    <Box flexDirection="column" height={height}>
      <Line text={`${title}   ${REAL} realised  ${EST} estimated  ${BAND} ${bandLabel}`} width={width} bold />
      {lines.slice(0, height - 1).map((l, i) => <Line key={i} text={l} width={width} />)}
    </Box>
  );
});

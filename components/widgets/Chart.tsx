/** A line chart (asciichart) cut to a box: the last points that fit the width, one <Text> per line. */
import { useMemo } from 'react';
import { Box } from 'ink';
import { plot } from 'asciichart';
import { Line } from './Line.js';
import type { Tone } from '../theme.js';

export interface ChartProps {
  series: readonly number[];
  width: number;
  height: number;           // lines, including the title line
  title: string;
  threshold?: number;       // drawn as a second, flat series
  tone?: Tone;
}

const LABEL = 10;           // asciichart's label column: format below pads to 8, plus "┤ "

/** Linear interpolation of a short series onto up to `room` columns, whole steps per gap. */
export function stretch(points: readonly number[], room: number): number[] {
  const gaps = points.length - 1;
  const step = Math.min(8, Math.floor((room - 1) / Math.max(1, gaps)));
  if (gaps < 1 || step <= 1) return [...points];
  const out: number[] = [];
  for (let i = 0; i < gaps; i++) {
    for (let j = 0; j < step; j++) out.push(points[i] + ((points[i + 1] - points[i]) * j) / step);
  }
  out.push(points[gaps]);
  return out;
}

export function chartLines(series: readonly number[], width: number, height: number, threshold?: number): string[] {
  const points = series.filter((v) => Number.isFinite(v)).slice(-Math.max(2, width - LABEL - 1));
  if (points.length < 2 || height < 2) return [points.length === 1 ? `only one window so far: ${points[0].toFixed(4)}` : 'no history yet'];
  // A few windows would draw as a sliver one column per point: spread them over the width.
  const xs = stretch(points, Math.max(2, width - LABEL - 1));
  const data: number[][] = [xs];
  if (threshold !== undefined && Number.isFinite(threshold)) data.push(xs.map(() => threshold));
  const text = plot(data, { height: height - 1, format: (x) => x.toFixed(3).padStart(8) });
  return text.split('\n');
}

export function Chart({ series, width, height, title, threshold, tone }: ChartProps) {
  const lines = useMemo(() => chartLines(series, width, height - 1, threshold), [series, width, height, threshold]);
  return (
    <Box flexDirection="column" height={height}>
      <Line text={title} width={width} bold />
      {lines.slice(0, height - 1).map((l, i) => (
        <Line key={i} text={l} width={width} tone={tone} />
      ))}
    </Box>
  );
}

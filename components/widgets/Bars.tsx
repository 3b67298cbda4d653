/** Reference vs current shares per bin as paired horizontal bars, one line per bin. */
import { Box } from 'ink';
import { fit, pct } from '../format.js';
import { Line } from './Line.js';

export interface BarsProps {
  labels: readonly string[];
  reference: readonly number[];
  current: readonly number[];
  width: number;
  height: number;           // lines, including the title line
}

export function barLine(label: string, ref: number, cur: number, width: number, max: number): string {
  const labelW = Math.min(14, Math.max(6, Math.floor(width / 5)));
  const barW = Math.max(1, Math.floor((width - labelW - 2 * 7 - 4) / 2));
  const bar = (v: number) => '█'.repeat(max > 0 ? Math.round((v / max) * barW) : 0).padEnd(barW);
  const share = (v: number) => pct(v).padStart(6);
  return `${fit(label, labelW)} ${share(ref)} ${bar(ref)} ${share(cur)} ${bar(cur)}`;
}

export function Bars({ labels, reference, current, width, height }: BarsProps) {
  const max = Math.max(0, ...reference, ...current);
  const rows = Math.max(0, height - 1);
  const n = labels.length;
  const shown = labels.slice(0, rows);
  const labelW = Math.min(14, Math.max(6, Math.floor(width / 5)));
  const barW = Math.max(1, Math.floor((width - labelW - 2 * 7 - 4) / 2));
  const title = `${fit('bin', labelW)} ${'ref'.padStart(6)} ${''.padEnd(barW)} ${'cur'.padStart(6)}` + (n > rows ? `  (${rows}/${n} bins)` : '');
  return (
    <Box flexDirection="column" height={height}>
      <Line text={title} width={width} tone="dim" bold />
      {shown.map((l, i) => (
        <Line key={i} text={barLine(l, reference[i] ?? 0, current[i] ?? 0, width, max)} width={width}
          tone={Math.abs((current[i] ?? 0) - (reference[i] ?? 0)) > 0.05 ? 'warn' : undefined} />
      ))}
    </Box>
  );
}

/** Unicode block sparkline of a series, scaled between its minimum and maximum. */
const BLOCKS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[], width: number): string {
  const xs = values.filter((v) => Number.isFinite(v)).slice(-width);
  if (xs.length === 0) return '';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const span = hi - lo;
  return xs
    .map((v) => BLOCKS[span === 0 ? 0 : Math.min(7, Math.floor(((v - lo) / span) * 8))])
    .join('');
}

/** Number and text formatting for dense cells. Every function returns a plain, safe string. */
import { sanitize } from '../src/util/sanitize.js';

/** Pad or cut `s` to exactly `width` columns; cut text ends in an ellipsis. */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const clean = sanitize(s);
  if (clean.length > width) return width === 1 ? '…' : clean.slice(0, width - 1) + '…';
  return align === 'right' ? clean.padStart(width) : clean.padEnd(width);
}

/** Cut a whole line to the terminal width, without padding. */
export function clip(s: string, width: number): string {
  const clean = sanitize(s);
  if (clean.length <= width) return clean;
  return width <= 1 ? clean.slice(0, Math.max(0, width)) : clean.slice(0, width - 1) + '…';
}

const dash = '–';

export function num(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return dash;
  return x.toFixed(digits);
}

export function pct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return dash;
  return (x * 100).toFixed(digits) + '%';
}

export function signedPct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return dash;
  return (x >= 0 ? '+' : '') + (x * 100).toFixed(digits);
}

/** Compact counts: 950, 12.3k, 4.56M. */
export function count(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return dash;
  const a = Math.abs(n);
  if (a < 10_000) return String(Math.round(n));
  if (a < 1_000_000) return (n / 1000).toFixed(a < 100_000 ? 1 : 0) + 'k';
  if (a < 1_000_000_000) return (n / 1_000_000).toFixed(a < 100_000_000 ? 2 : 0) + 'M';
  return (n / 1_000_000_000).toFixed(2) + 'G';
}

export function pval(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return dash;
  if (p === 0) return '<1e-300';
  if (p >= 0.001) return p.toFixed(3);
  return p.toExponential(0);
}

/** UTC "MM-DD HH:MM:SS": the host may be anywhere, the log is in UTC. */
export function time(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return dash;
  return new Date(ms).toISOString().slice(5, 19).replace('T', ' ');
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return dash;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function interval(ci: [number, number] | null | undefined): string {
  if (!ci) return dash;
  return `[${signedPct(ci[0])},${signedPct(ci[1])}]`;
}

/** Word-wrap to `width` columns; words longer than a line are cut hard. */
export function wrap(s: string, width: number): string[] {
  const clean = sanitize(s);
  if (width <= 0) return [];
  const out: string[] = [];
  let line = '';
  for (const word of clean.split(' ')) {
    let w = word;
    while (w.length > width) {
      if (line) {
        out.push(line);
        line = '';
      }
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ' ' + w;
    else {
      out.push(line);
      line = w;
    }
  }
  if (line || out.length === 0) out.push(line);
  return out;
}

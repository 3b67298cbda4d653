// Prepares sample-data/flights-2001q1.csv.gz from the shared raw flights file.
// The raw `date` is MMDDHHMM local time of 2001 with no zone; we write it as if it were UTC so
// that hour-of-day in the timestamp matches the `hour` column (see SOURCE.md).
// Run: npx tsx sample-data/prepare-flights.ts [input.csv] [output.csv.gz]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const YEAR = 2001;
const DELAY_THRESHOLD_MINUTES = 15;

export interface FlightRow {
  ts: string;
  hour: number;
  dow: string;
  distance: number;
  origin: string;
  destination: string;
  delay: number;
  delayed: 0 | 1;
}

export function parseRawLine(line: string, lineNo: number): FlightRow {
  const parts = line.split(',');
  if (parts.length !== 5) throw new Error(`line ${lineNo}: expected 5 fields, got ${parts.length}`);
  const [date, delayText, distanceText, origin, destination] = parts as [string, string, string, string, string];
  if (!/^\d{8}$/.test(date)) throw new Error(`line ${lineNo}: bad date "${date}"`);
  const month = Number(date.slice(0, 2));
  const day = Number(date.slice(2, 4));
  const hour = Number(date.slice(4, 6));
  const minute = Number(date.slice(6, 8));
  const delay = Number(delayText);
  const distance = Number(distanceText);
  if (!Number.isFinite(delay) || !Number.isFinite(distance)) throw new Error(`line ${lineNo}: bad number`);
  const when = new Date(Date.UTC(YEAR, month - 1, day, hour, minute));
  return {
    ts: when.toISOString().replace('.000Z', 'Z'),
    hour,
    dow: DAY_NAMES[when.getUTCDay()]!,
    distance,
    origin,
    destination,
    delay,
    delayed: delay > DELAY_THRESHOLD_MINUTES ? 1 : 0,
  };
}

export function prepare(raw: string): string {
  const lines = raw.split(/\r?\n/).filter((l) => l.length > 0);
  const rows = lines.slice(1).map((l, i) => parseRawLine(l, i + 2));
  // Stable sort: rows with the same minute keep their source order.
  rows.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const header = 'ts,hour,dow,distance,origin,destination,delay,delayed';
  const body = rows.map((r) => [r.ts, r.hour, r.dow, r.distance, r.origin, r.destination, r.delay, r.delayed].join(','));
  return [header, ...body].join('\n') + '\n';
}

function main(): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const input = resolve(process.argv[2] ?? resolve(here, '../../shared/data/flights-3m.csv'));
  const output = resolve(process.argv[3] ?? resolve(here, 'flights-2001q1.csv.gz'));
  const csv = prepare(readFileSync(input, 'utf8'));
  // mtime 0 in the gzip header (Node writes none) keeps the output byte-for-byte reproducible.
  writeFileSync(output, gzipSync(csv, { level: 9 }));
  const rows = csv.split('\n').length - 2;
  console.log(`wrote ${rows} rows to ${output}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

/**
 * The flights data with corruption injected, for the data-quality tests and bench: from
 * `corruptFrom`, `hour` is replaced by a random value in 24–2399 in `hourShare` of the rows
 * (a clock time written where an hour belongs) and, in another `originShare` of the rows,
 * `origin` is garbled (its middle letter replaced by `#`). Every injected value lies outside
 * what January holds, so rules inferred from January can catch all of them. The true values
 * are kept by request id (the replay names request `r-<row>` after the row's position).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '../../src/data/csv.js';
import { mulberry32 } from '../../src/util/random.js';
import { FLIGHTS_CSV } from '../models/flights.js';

export interface CorruptedFlights {
  csv: string;
  /** request id → true hour, for rows whose hour was replaced */
  hour: Map<string, string>;
  /** request id → true origin, for rows whose origin was garbled */
  origin: Map<string, string>;
  /** rows written (from `from` on) */
  rows: number;
  /** rows at or after corruptFrom */
  corruptible: number;
}

export async function corruptFlights(dir: string, opts: { from?: string; corruptFrom?: string; hourShare?: number; originShare?: number; seed?: number } = {}): Promise<CorruptedFlights> {
  const from = opts.from ?? '2001-02-01';
  const corruptFrom = opts.corruptFrom ?? '2001-03-01';
  const hourShare = opts.hourShare ?? 0.15;
  const originShare = opts.originShare ?? 0.1;
  const rng = mulberry32(opts.seed ?? 16);
  const hour = new Map<string, string>();
  const origin = new Map<string, string>();
  const lines: string[] = [];
  let header: string[] | null = null;
  let n = 0;
  let corruptible = 0;
  for await (const row of readCsv(FLIGHTS_CSV)) {
    header ??= Object.keys(row);
    if (row.ts! < from) continue;
    n++;
    const id = `r-${n}`;
    if (row.ts! >= corruptFrom) {
      corruptible++;
      const u = rng();
      if (u < hourShare) {
        hour.set(id, row.hour!);
        row.hour = String(24 + Math.floor(rng() * 2376));
      } else if (u < hourShare + originShare) {
        origin.set(id, row.origin!);
        const o = row.origin!;
        row.origin = `${o[0]}#${o.slice(2)}`;
      }
    }
    lines.push(header.map((h) => row[h]).join(','));
  }
  const csv = join(dir, 'flights-corrupted.csv');
  writeFileSync(csv, `${header!.join(',')}\n${lines.join('\n')}\n`);
  return { csv, hour, origin, rows: n, corruptible };
}

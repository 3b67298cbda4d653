// Small slices of the committed flights sample for model tests.
import { fileURLToPath } from 'node:url';
import { readCsv } from '../../src/data/csv.js';
import type { FeatureSchema } from '../../src/drift/profile.js';

export const FLIGHTS_CSV = fileURLToPath(new URL('../../sample-data/flights-2001q1.csv.gz', import.meta.url));

export const FLIGHT_SCHEMA: FeatureSchema = {
  hour: 'numeric',
  dow: 'categorical',
  distance: 'numeric',
  origin: 'categorical',
  destination: 'categorical',
};

/** Every `step`-th row until `n` rows are taken, so a small slice spans weeks, not one day. */
export async function flightsSlice(n: number, step = 8): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  let i = 0;
  for await (const row of readCsv(FLIGHTS_CSV)) {
    if (i++ % step === 0) rows.push(row);
    if (rows.length >= n) break;
  }
  return rows;
}

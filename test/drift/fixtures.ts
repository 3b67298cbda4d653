// Loads the scipy reference values written by test/fixtures/make_drift_fixtures.py.
import { readFileSync } from 'node:fs';

const url = new URL('../fixtures/drift_fixtures.json', import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fixtures = JSON.parse(readFileSync(url, 'utf8')) as any;

export function assertClose(actual: number, expected: number, rel: number, abs = 0, what = ''): void {
  const tol = Math.max(abs, rel * Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`${what}: expected ${expected}, got ${actual} (|diff| ${Math.abs(actual - expected)} > ${tol})`);
  }
}

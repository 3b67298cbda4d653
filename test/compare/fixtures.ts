// Reference values written by test/fixtures/make_compare_fixtures.py (sklearn, statsmodels).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const path = fileURLToPath(new URL('../fixtures/compare_fixtures.json', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fixtures: any = JSON.parse(readFileSync(path, 'utf8'));

export function assertClose(actual: number, expected: number, relTol: number, message = ''): void {
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
  if (!(Math.abs(actual - expected) <= relTol * scale)) {
    throw new Error(`${message} expected ${expected}, got ${actual} (relative tolerance ${relTol})`);
  }
}

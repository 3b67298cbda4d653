import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A fresh temp directory, removed when the test file ends. */
export function tempDir(prefix = 'mlops-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function predictionLine(i: number, model = 'm', version = 1, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ts: 981158400000 + i * 1000, id: `r-${i}`, model, version,
    features: { distance: 100 + (i % 900), origin: ['MCI', 'LAX', 'ORD'][i % 3], hour: i % 24 },
    prediction: i % 2, score: (i % 100) / 100, ...extra,
  });
}

export function labelLine(i: number): string {
  return JSON.stringify({ ts: 981158400000 + i * 1000 + 3600000, id: `r-${i}`, label: i % 3 === 0 ? 1 : 0 });
}

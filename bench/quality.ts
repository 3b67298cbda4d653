/**
 * What cleaning buys, ranked against random (the ActiveClean comparison of issue 16).
 *
 * January's logistic regression scores March replayed with corruption injected (`hour` random
 * in 15% of rows, `origin` garbled in another 10%; test/helpers/corruptFlights.ts); the logs go
 * through the real ingest and quality checks. Then the same budget — 10% of the corrupted
 * rows — is cleaned two ways, by putting the true values back and re-scoring with the model:
 *   ours:     the rows `quality export` ranks first (ActiveClean-style priority: how much
 *             cleaning a row moves the model's loss);
 *   baseline: a uniformly random 10% of the corrupted rows (mean over 5 draws).
 * The ratio is the accuracy each recovers (correct predictions regained). ActiveClean reports
 * up to 2.5× over uniform cleaning for the same budget; the target here is > 1.
 * A second row: the estimated gain of cleaning `hour` (re-scored with reference draws) against
 * the gain measured by actually cleaning it.
 *
 *   npx tsx bench/quality.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../store/db.js';
import { currentOperator } from '../store/audit.js';
import { IngestStore } from '../store/ingestStore.js';
import { scoredRows } from '../store/quality.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { IngestService } from '../src/ingest/ingestService.js';
import { initBackend } from '../src/models/backend.js';
import { loadPredictor } from '../src/models/predictor.js';
import { trainArtifact } from '../src/models/trainArtifact.js';
import { loadTrainingRows } from '../src/models/trainFromCsv.js';
import { qualityReport, exportRows } from '../src/quality/report.js';
import { saveArtifact } from '../src/registry/saveArtifact.js';
import { runReplay } from '../src/replay/replay.js';
import { mulberry32 } from '../src/util/random.js';
import { corruptFlights } from '../test/helpers/corruptFlights.js';
import { FLIGHTS_CSV } from '../test/models/flights.js';
import type { BenchResult } from './types.js';

const FEATURES = ['hour', 'dow', 'distance', 'origin', 'destination'];
const RANDOM_DRAWS = 5;

export async function main(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-quality-'));
  try {
    await initBackend();
    const corrupted = await corruptFlights(dir, { from: '2001-03-01' });
    const jan = await loadTrainingRows({ data: FLIGHTS_CSV, label: 'delayed', time: 'ts', features: FEATURES, until: '2001-02-01' });
    const artifact = await trainArtifact(jan.rows, { type: 'logreg', label: 'delayed', schema: jan.schema, time: 'ts' });
    const config = structuredClone(DEFAULT_CONFIG);
    config.db = join(dir, 'mlops.db');
    config.watch = join(dir, 'predictions');
    const db = openDb(config.db);
    try {
      saveArtifact(db, 'flights', artifact, currentOperator());
      await runReplay(db, { data: corrupted.csv, label: 'delayed', time: 'ts', out: config.watch, rate: 0, labelDelayMs: 2 * 3_600_000 });
      const ingest = new IngestService(new IngestStore(db), { dir: config.watch });
      await ingest.scanOnce();
      await ingest.stop();
      const report = await qualityReport(db, config);
      const rows = scoredRows(db, 'flights', 1).filter((r) => r.label !== null);
      const predictor = await loadPredictor(artifact);
      const correct = (only: Set<string> | null): number => {
        const feats = rows.map((r) => {
          const f = JSON.parse(r.features) as Record<string, unknown>;
          if (only && !only.has(r.requestId)) return f;
          if (corrupted.hour.has(r.requestId)) return { ...f, hour: Number(corrupted.hour.get(r.requestId)) };
          if (corrupted.origin.has(r.requestId)) return { ...f, origin: corrupted.origin.get(r.requestId) };
          return f;
        });
        const out = predictor.predict(feats);
        let c = 0;
        for (let i = 0; i < rows.length; i++) if (String(out.prediction[i]) === String(JSON.parse(rows[i]!.label!))) c++;
        return c;
      };
      const ids = [...corrupted.hour.keys(), ...corrupted.origin.keys()];
      const budget = Math.round(ids.length * 0.1);
      const now = correct(new Set());
      const lost = correct(null) - now;
      const top = new Set((await exportRows(db, config, { top: budget })).map((r) => r.requestId));
      const byTop = correct(top) - now;
      let byRandom = 0;
      for (let k = 0; k < RANDOM_DRAWS; k++) {
        const rng = mulberry32(100 + k);
        const shuffled = [...ids];
        for (let i = shuffled.length - 1; i > 0; i--) { const j = Math.floor(rng() * (i + 1)); [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]; }
        byRandom += (correct(new Set(shuffled.slice(0, budget))) - now) / RANDOM_DRAWS;
      }
      const hourIds = new Set(corrupted.hour.keys());
      const measured = (correct(hourIds) - now) / rows.length;
      const hour = report.features.find((f) => f.feature === 'hour')!;
      const [lo, hi] = hour.gain.ci!;
      predictor.dispose();
      return {
        name: 'quality',
        rows: [
          { metric: 'accuracy recovered, top 10% by priority vs random 10%', value: byTop, unit: 'rows', baseline: byRandom, ratio: byTop / byRandom, target: '> 1 (ActiveClean: up to 2.5)', met: byTop > byRandom },
          { metric: 'hour: estimated cleaning gain vs measured', value: hour.gain.value!, unit: 'acc', baseline: measured, ratio: hour.gain.value! / measured, target: 'measured within the 95% interval', met: measured >= lo && measured <= hi },
        ],
        notes: [
          `March, ${rows.length} labelled rows; ${corrupted.hour.size} hour and ${corrupted.origin.size} origin rows corrupted, costing ${lost} correct predictions`,
          `cleaning budget ${budget} rows: ranked recovers ${byTop}, random ${byRandom.toFixed(1)} (mean of ${RANDOM_DRAWS})`,
          `hour: estimated gain ${hour.gain.value!.toFixed(4)} [${lo.toFixed(4)}, ${hi.toFixed(4)}], measured ${measured.toFixed(4)}; ranking: ${report.features.map((f) => f.feature).join(' > ')}`,
        ],
      };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await main();
  console.log(JSON.stringify(r, null, 2));
}

// A store with sea@1 active and its logged, labelled traffic, built the real way: the model is
// trained with tfjs, its predictions written as JSON lines and ingested into SQLite.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb, type Db } from '../../store/db.js';
import { IngestStore } from '../../store/ingestStore.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import { IngestService } from '../../src/ingest/ingestService.js';
import { loadPredictor } from '../../src/models/predictor.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { saveArtifact } from '../../src/registry/saveArtifact.js';
import { scoredLogLines, SEA_SCHEMA, seaStream, type SeaRow } from '../helpers/sea.js';
import { tempDir } from '../helpers/tmp.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const OPERATOR = { operator: 'test', client: null };

export interface SeaStore {
  dir: string;
  db: Db;
  cfg: Config;
  /** appends requests scored by sea@1 (ids r-<start>…, a second apart from T0 + start s) and ingests them */
  log(rows: readonly SeaRow[], start: number, file: string): Promise<void>;
}

export async function seaStore(requests = 4000): Promise<SeaStore> {
  const dir = tempDir();
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const cfg: Config = structuredClone(DEFAULT_CONFIG);
  cfg.db = join(dir, 'mlops.db');
  const db = openDb(cfg.db);
  const model = await trainArtifact(seaStream([{ theta: 8, rows: 2000 }], 11).map((r) => ({ ...r })), { type: 'logreg', label: 'y', schema: SEA_SCHEMA, epochs: 20, learningRate: 0.05, batchSize: 256 });
  saveArtifact(db, 'sea', model, OPERATOR, 'active');
  const predictor = await loadPredictor(model);
  const ingest = new IngestService(new IngestStore(db), { dir: logs });
  const log = async (rows: readonly SeaRow[], start: number, file: string) => {
    const lines = scoredLogLines(rows, [{ name: 'sea', version: 1, predictor }], { prefix: 'r-', start, t0: T0 + start * 1000 });
    writeFileSync(join(logs, file), `${lines.join('\n')}\n`);
    await ingest.scanOnce();
  };
  await log(seaStream([{ theta: 9.5, rows: requests }], 12), 0, 'a.jsonl');
  return { dir, db, cfg, log };
}

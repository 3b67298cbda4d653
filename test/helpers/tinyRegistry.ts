// A registry with two small flights models (logreg active, mlp shadow) in a temp database.
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { currentOperator } from '../../store/audit.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { saveArtifact } from '../../src/registry/saveArtifact.js';
import { FLIGHT_SCHEMA, flightsSlice } from '../models/flights.js';
import { tempDir } from './tmp.js';

export async function tinyRegistry(): Promise<{ dbPath: string; rows: Record<string, string>[] }> {
  const dbPath = join(tempDir(), 'mlops.db');
  const rows = await flightsSlice(1500);
  const db = openDb(dbPath);
  for (const [name, type] of [['logreg', 'logreg'], ['mlp', 'mlp']] as const) {
    const artifact = await trainArtifact(rows, { type, label: 'delayed', schema: FLIGHT_SCHEMA, time: 'ts', epochs: 2 });
    saveArtifact(db, name, artifact, currentOperator());
  }
  db.close();
  return { dbPath, rows };
}

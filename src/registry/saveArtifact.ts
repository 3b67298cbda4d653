import type { Db } from '../../store/db.js';
import { registerModel, type Alias, type ModelInfo } from '../../store/registry.js';
import type { AuditInput } from '../../store/audit.js';
import { deserializeArtifact, serializeArtifact, type ModelArtifact } from '../models/artifact.js';
import { loadArtifactBlobs } from '../../store/registry.js';

/** Stores a trained artifact as the next version of `name` (SQLite only, never loose files). */
export function saveArtifact(db: Db, name: string, artifact: ModelArtifact, audit: AuditInput, alias?: Alias): ModelInfo {
  const { json, weights } = serializeArtifact(artifact);
  return registerModel(db, {
    name, type: artifact.type, task: artifact.task, artifact: json, weights, alias,
    metrics: { ...artifact.metrics, trainedRows: artifact.trainedOn.rows, from: artifact.trainedOn.from ?? null, until: artifact.trainedOn.until ?? null },
  }, audit);
}

export function loadArtifact(db: Db, id: number): ModelArtifact {
  const { artifact, weights } = loadArtifactBlobs(db, id);
  return deserializeArtifact(artifact, weights);
}

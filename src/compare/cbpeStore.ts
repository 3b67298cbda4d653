/**
 * Which CBPE reference a model version uses, and pinning one: the one rule the live engine and
 * `compare` share, so the console and `compare --json` estimate with the same calibrator.
 * A reference the operator pinned wins over the artifact's training hold-out; a model with
 * neither has no estimate.
 */
import type { Db } from '../../store/db.js';
import { appendAudit, type AuditInput } from '../../store/audit.js';
import { labelledScoresBetween, pinnedReferences, pinReference, scoredRowsSince } from '../../store/cbpeReferences.js';
import { loadArtifact } from '../registry/saveArtifact.js';
import { EstimateWindows, type WindowEstimate } from './estimateWindows.js';
import { findModel, parseRef } from '../../store/registry.js';
import type { ModelArtifact } from '../models/artifact.js';
import { classSpace, probabilitiesOf } from '../core/classes.js';
import { isoTime } from '../core/time.js';
import { CbpeReferenceError, fitCbpeReference, parseCbpeReference, type CbpeReference } from './cbpeReference.js';

/** Pinned references by name@version. */
export function pinnedCbpeReferences(db: Db): Map<string, CbpeReference> {
  const out = new Map<string, CbpeReference>();
  for (const r of pinnedReferences(db)) {
    let parsed: unknown = null;
    try { parsed = JSON.parse(r.reference); } catch { /* a broken row is no reference */ }
    const ref = parseCbpeReference(parsed);
    if (ref) out.set(`${r.model}@${r.version}`, ref);
  }
  return out;
}

/** The reference of `modelRef`: pinned, else the artifact's hold-out, else null. */
export function cbpeReferenceOf(pinned: ReadonlyMap<string, CbpeReference>, modelRef: string, artifact: ModelArtifact | null): CbpeReference | null {
  return pinned.get(modelRef) ?? (artifact?.cbpe ? parseCbpeReference(artifact.cbpe) : null);
}

export interface PinResult {
  model: string;
  reference: CbpeReference;
}

/**
 * Fits a reference on a model version's labelled predictions with request time in
 * [from, until) and pins it (audited as `reference-set`). Binary models with scores only.
 */
export function pinCbpeReference(db: Db, modelRef: string, from: number, until: number, who: AuditInput, artifact: ModelArtifact | null): PinResult {
  const { name, version } = parseRef(modelRef);
  if (version === null) throw new CbpeReferenceError(`"${modelRef}" must name a version, e.g. ${name}@1`);
  if (!(until > from)) throw new CbpeReferenceError('--until must be after --from');
  const space = classSpace(artifact ? artifact.classes : null);
  if (!space.binary) throw new CbpeReferenceError(`${modelRef} is not a binary model: CBPE accuracy needs P(positive) scores`);
  const rows = labelledScoresBetween(db, name, version, from, until);
  const scores: number[] = [];
  const labels: number[] = [];
  const predicted: number[] = [];
  for (const r of rows) {
    const y = space.indexOfText(r.label);
    const p = space.indexOfText(r.prediction);
    if (y < 0 || p < 0 || r.score === null) continue;
    scores.push(r.score);
    labels.push(y);
    predicted.push(p);
  }
  if (rows.length === 0 && !findModel(db, name, version)) {
    throw new CbpeReferenceError(`${modelRef} has no labelled predictions in the store and is not in the registry`);
  }
  const reference = fitCbpeReference(scores, labels, predicted, { source: 'pinned', from, until });
  pinReference(db, { model: name, version, from, until, rows: scores.length, reference: JSON.stringify(reference), pinnedAt: Date.now(), operator: who.operator });
  appendAudit(db, {
    ...who, action: 'reference-set', subject: modelRef, before: null, after: modelRef,
    details: `CBPE reference ${isoTime(from)} … ${isoTime(until)}: ${scores.length} labelled rows, accuracy ${(reference.accuracy * 100).toFixed(1)}%, threshold ${(reference.threshold.lower * 100).toFixed(1)}–${(reference.threshold.upper * 100).toFixed(1)}%`,
  });
  return { model: modelRef, reference };
}

/** The reference of a registered or logged model version, looked up as the engine does. */
export function cbpeReferenceFromStore(db: Db, modelRef: string): { reference: CbpeReference | null; artifact: ModelArtifact | null } {
  const { name, version } = parseRef(modelRef);
  const info = version === null ? null : findModel(db, name, version);
  let artifact: ModelArtifact | null = null;
  if (info) {
    try { artifact = loadArtifact(db, info.id); } catch { artifact = null; }
  }
  return { reference: cbpeReferenceOf(pinnedCbpeReferences(db), modelRef, artifact), artifact };
}

/**
 * Estimated and realised accuracy per window of a model version's predictions since `since`,
 * from the store: the same accumulation (EstimateWindows), classes (classSpace of the artifact)
 * and reference as the live engine, so `compare --json` and the console agree.
 */
export function estimateWindowsFromStore(db: Db, modelRef: string, windowMs: number, since: number | null): { reference: CbpeReference | null; windows: WindowEstimate[] } {
  const { name, version } = parseRef(modelRef);
  const { reference, artifact } = cbpeReferenceFromStore(db, modelRef);
  if (version === null) return { reference, windows: [] };
  const space = classSpace(artifact ? artifact.classes : null);
  const acc = new EstimateWindows(reference, windowMs);
  for (const [ts, prediction, score, label, scores] of scoredRowsSince(db, name, version, since)) {
    const predicted = space.indexOfText(prediction);
    acc.addPrediction(predicted, space.binary ? score : probabilitiesOf(space, scores), ts);
    if (label !== null) acc.addLabelled(space.indexOfText(label), predicted, ts);
  }
  return { reference, windows: acc.estimates() };
}

/**
 * The rows of the prediction log as the store keeps them. They live here, not in src/ingest,
 * because store/ imports nothing from src/: ingest parses lines into these types and the store
 * writes them.
 */
export type FeatureValue = number | string | boolean | null;
export type ClassValue = number | string | boolean;

export interface PredictionRecord {
  kind: 'prediction';
  ts: number;
  id: string;
  model: string;
  version: number;
  features: Record<string, FeatureValue>;
  prediction: ClassValue;
  /** P(positive class) for binary models; null when the model gave none or is multiclass. */
  score: number | null;
  /** Class probabilities for multiclass models. */
  scores: Record<string, number> | null;
  /** 1-based line number in the file it came from, set by the reader. */
  line?: number;
}

export interface LabelRecord {
  kind: 'label';
  ts: number;
  id: string;
  label: ClassValue;
  line?: number;
}

/** How a feature value redacted by hashing begins (src/redact/redact.ts makes them; `check` looks for others). */
export const HASH_TOKEN_PREFIX = 'h:';

/**
 * A prediction as it is bound to the INSERT: its JSON fields already serialized. Ingest builds
 * these where it parses (a parse worker hands over strings and numbers, not object graphs, which
 * cost more to copy between threads than to parse), and the store, the conflict log and the
 * quarantine read them.
 */
export interface PredictionRow {
  id: string;
  model: string;
  version: number;
  ts: number;
  /** JSON of the feature object, as stored in `predictions.features`. */
  features: string;
  /** JSON of the class value. */
  prediction: string;
  score: number | null;
  /** JSON of the class probabilities, or null. */
  scores: string | null;
  line: number;
}

export interface LabelRow {
  id: string;
  ts: number;
  /** JSON of the class value. */
  label: string;
  line: number;
}

/** JSON of a class value; a finite number (most are) without JSON.stringify's generic path. */
function classJson(v: ClassValue): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : JSON.stringify(v);
}

/** The one serialization of a parsed prediction into its stored form. */
export function predictionRow(r: PredictionRecord): PredictionRow {
  return {
    id: r.id, model: r.model, version: r.version, ts: r.ts, features: JSON.stringify(r.features), prediction: classJson(r.prediction),
    score: r.score, scores: r.scores === null ? null : JSON.stringify(r.scores), line: r.line ?? 0,
  };
}

export function labelRow(r: LabelRecord): LabelRow {
  return { id: r.id, ts: r.ts, label: classJson(r.label), line: r.line ?? 0 };
}

/** The row as one JSON object (what a quarantined prediction keeps), the fields in the log's order. */
export function predictionText(r: PredictionRow): string {
  return `{"ts":${r.ts},"id":${JSON.stringify(r.id)},"model":${JSON.stringify(r.model)},"version":${r.version},"features":${r.features},`
    + `"prediction":${r.prediction},"score":${r.score === null ? 'null' : r.score},"scores":${r.scores ?? 'null'}}`;
}

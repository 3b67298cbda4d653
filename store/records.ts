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

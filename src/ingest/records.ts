/**
 * The two line kinds of the prediction log (see README, "Log format"), parsed
 * and validated. Anything that is not exactly one of them is returned as a
 * rejection with a reason a person can act on; the caller quarantines it.
 */
import { classKey } from '../core/classes.js';
import { parseTime } from '../core/time.js';
import type { ClassValue, FeatureValue, LabelRecord, PredictionRecord } from '../../store/records.js';

// The row types live in store/ (store imports nothing from src/); re-exported for ingest's callers.
export type { ClassValue, FeatureValue, LabelRecord, PredictionRecord } from '../../store/records.js';

export interface Rejection {
  kind: 'rejected';
  reason: string;
}

export type ParsedLine = PredictionRecord | LabelRecord | Rejection;

const MAX_FEATURES = 1000;
const MAX_ID_LENGTH = 256;

function reject(reason: string): Rejection {
  return { kind: 'rejected', reason };
}

function parseId(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH) return v;
  return null;
}

/** A value the class rule (src/core/classes.ts) gives a class to: a blank string is no class. */
function isClassValue(v: unknown): v is ClassValue {
  return (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') && classKey(v) !== null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string' && v.trim() === '') return 'a blank string';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Parses one line (without its newline). Never throws. */
export function parseLine(text: string): ParsedLine {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    return reject(`invalid JSON: ${(err as Error).message}`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return reject(`expected a JSON object, got ${describe(obj)}`);
  }
  const o = obj as Record<string, unknown>;
  if (!('ts' in o)) return reject('missing field "ts"');
  const ts = parseTime(o.ts);
  if (ts === null) return reject('field "ts" must be an ISO 8601 time or epoch milliseconds');
  if (!('id' in o)) return reject('missing field "id"');
  const id = parseId(o.id);
  if (id === null) return reject(`field "id" must be a non-empty string of at most ${MAX_ID_LENGTH} characters or an integer`);

  if ('label' in o && !('model' in o)) {
    if (!isClassValue(o.label)) return reject(`field "label" must be a number, string or boolean, got ${describe(o.label)}`);
    return { kind: 'label', ts, id, label: o.label };
  }

  if (!('model' in o)) return reject('missing field "model" (or "label" for a label line)');
  if (typeof o.model !== 'string' || o.model.length === 0 || o.model.length > 128) {
    return reject('field "model" must be a non-empty string of at most 128 characters');
  }
  if (!('version' in o)) return reject('missing field "version"');
  if (typeof o.version !== 'number' || !Number.isSafeInteger(o.version) || o.version < 0) {
    return reject('field "version" must be a non-negative integer');
  }
  if (!('features' in o)) return reject('missing field "features"');
  const f = o.features;
  if (f === null || typeof f !== 'object' || Array.isArray(f)) return reject(`field "features" must be an object, got ${describe(f)}`);
  let n = 0;
  for (const key in f as Record<string, unknown>) {
    if (++n > MAX_FEATURES) return reject(`more than ${MAX_FEATURES} features`);
    const v = (f as Record<string, unknown>)[key];
    if (v === null) continue;
    const t = typeof v;
    if (t === 'number') {
      if (!Number.isFinite(v)) return reject(`feature "${key}" is not a finite number`);
    } else if (t !== 'string' && t !== 'boolean') {
      return reject(`feature "${key}" must be a number, string, boolean or null, got ${describe(v)}`);
    }
  }
  if (!('prediction' in o)) return reject('missing field "prediction"');
  if (!isClassValue(o.prediction)) return reject(`field "prediction" must be a number, string or boolean, got ${describe(o.prediction)}`);

  let score: number | null = null;
  let scores: Record<string, number> | null = null;
  const s = o.score;
  if (typeof s === 'number') {
    if (!(s >= 0 && s <= 1)) return reject('field "score" must be a probability in [0, 1]');
    score = s;
  } else if (s !== undefined && s !== null) {
    if (typeof s !== 'object' || Array.isArray(s)) return reject(`field "score" must be a number or an object of class probabilities, got ${describe(s)}`);
    scores = {};
    for (const [k, v] of Object.entries(s as Record<string, unknown>)) {
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) return reject(`class probability "${k}" in "score" must be a number in [0, 1]`);
      scores[k] = v;
    }
  }
  return {
    kind: 'prediction', ts, id, model: o.model, version: o.version,
    features: f as Record<string, FeatureValue>, prediction: o.prediction, score, scores,
  };
}

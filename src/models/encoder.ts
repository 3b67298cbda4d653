// Turns rows of raw feature values into the dense vector a tfjs model reads. Fitted on the
// training rows only, and the fitted state travels with the model, so serving encodes exactly
// as training did.
// Layout, per feature in the given order:
//   numeric:     [z-score (0 when missing), missing indicator]
//   categorical: [one-hot over the top-K training values..., out-of-vocabulary, missing]
// The missing indicator and slots are always present (even if training had no missing value),
// so the layout depends only on the schema and the vocabulary, never on luck in the data.
import { toCategory, toNumber } from '../core/values.js';
import type { FeatureSchema } from '../drift/profile.js';

export type { FeatureSchema };

export const DEFAULT_TOP_K = 30;

export interface NumericEncoding {
  name: string;
  kind: 'numeric';
  mean: number;
  /** Population std of the training values; 1 when they were constant, so z stays finite. */
  std: number;
}

export interface CategoricalEncoding {
  name: string;
  kind: 'categorical';
  /** Most frequent training values, most frequent first (ties by value, for determinism). */
  vocabulary: string[];
}

export type FeatureEncoding = NumericEncoding | CategoricalEncoding;

export interface EncoderState {
  version: 1;
  features: FeatureEncoding[];
  dim: number;
}

export interface EncoderOptions {
  /** Categories kept per categorical feature; the rest share the out-of-vocabulary slot. */
  topK?: number;
}

function widthOf(f: FeatureEncoding): number {
  return f.kind === 'numeric' ? 2 : f.vocabulary.length + 2;
}

export class Encoder {
  readonly dim: number;
  private readonly index: Map<string, number>[];

  constructor(readonly state: EncoderState) {
    this.dim = state.features.reduce((s, f) => s + widthOf(f), 0);
    if (this.dim !== state.dim) throw new Error(`encoder state is inconsistent: dim ${state.dim}, layout ${this.dim}`);
    this.index = state.features.map((f) => new Map(f.kind === 'categorical' ? f.vocabulary.map((v, i) => [v, i] as const) : []));
  }

  get features(): string[] {
    return this.state.features.map((f) => f.name);
  }

  /** Row-major matrix of rows.length × dim. Absent keys count as missing. */
  transform(rows: readonly Record<string, unknown>[]): Float32Array {
    const out = new Float32Array(rows.length * this.dim);
    const features = this.state.features;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      let o = r * this.dim;
      for (let j = 0; j < features.length; j++) {
        const f = features[j]!;
        if (f.kind === 'numeric') {
          const x = toNumber(row[f.name]);
          if (x === null) out[o + 1] = 1;
          else out[o] = (x - f.mean) / f.std;
          o += 2;
        } else {
          const c = toCategory(row[f.name]);
          const k = f.vocabulary.length;
          if (c === null) out[o + k + 1] = 1;
          else out[o + (this.index[j]!.get(c) ?? k)] = 1;
          o += k + 2;
        }
      }
    }
    return out;
  }

  /** Human-readable name of each encoded column, e.g. `distance`, `distance:missing`, `origin=ORD`. */
  columnNames(): string[] {
    const names: string[] = [];
    for (const f of this.state.features) {
      if (f.kind === 'numeric') names.push(f.name, `${f.name}:missing`);
      else names.push(...f.vocabulary.map((v) => `${f.name}=${v}`), `${f.name}:other`, `${f.name}:missing`);
    }
    return names;
  }
}

/** Fits the encoder on training rows; `schema` fixes the features and their order. */
export function fitEncoder(
  rows: Iterable<Record<string, unknown>>,
  schema: FeatureSchema,
  options: EncoderOptions = {},
): Encoder {
  const topK = options.topK ?? DEFAULT_TOP_K;
  if (!Number.isInteger(topK) || topK < 1) throw new Error(`topK must be a positive integer, not ${topK}`);
  const names = Object.keys(schema);
  if (names.length === 0) throw new Error('cannot fit an encoder without features');
  const sums = names.map(() => ({ n: 0, sum: 0, sumSq: 0 }));
  const counts = names.map(() => new Map<string, number>());
  // Welford would be steadier, but shifting by the first value keeps the sums small enough here.
  const shift: (number | null)[] = names.map(() => null);
  for (const row of rows) {
    for (let j = 0; j < names.length; j++) {
      const name = names[j]!;
      if (schema[name] === 'numeric') {
        const x = toNumber(row[name]);
        if (x === null) continue;
        if (shift[j] === null) shift[j] = x;
        const d = x - shift[j]!;
        const s = sums[j]!;
        s.n++;
        s.sum += d;
        s.sumSq += d * d;
      } else {
        const c = toCategory(row[name]);
        if (c !== null) counts[j]!.set(c, (counts[j]!.get(c) ?? 0) + 1);
      }
    }
  }
  const features: FeatureEncoding[] = names.map((name, j) => {
    if (schema[name] === 'numeric') {
      const { n, sum, sumSq } = sums[j]!;
      const meanShifted = n > 0 ? sum / n : 0;
      const variance = n > 0 ? Math.max(0, sumSq / n - meanShifted * meanShifted) : 0;
      const std = Math.sqrt(variance);
      return { name, kind: 'numeric', mean: meanShifted + (shift[j] ?? 0), std: std > 1e-12 ? std : 1 };
    }
    const vocabulary = [...counts[j]!.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, topK)
      .map(([v]) => v);
    return { name, kind: 'categorical', vocabulary };
  });
  const state: EncoderState = { version: 1, features, dim: features.reduce((s, f) => s + widthOf(f), 0) };
  return new Encoder(state);
}

/** Rebuilds an encoder from its JSON state (as stored with a model). */
export function encoderFromState(state: EncoderState): Encoder {
  if (state?.version !== 1 || !Array.isArray(state.features)) throw new Error('unsupported encoder state');
  return new Encoder(state);
}

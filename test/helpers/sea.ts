/**
 * SEA concepts (Street & Kim, KDD 2001), the concept-drift stream the literature uses (also in
 * MOA and River): three features uniform on [0, 10], label 1 when f1 + f2 ≤ θ (f3 is noise),
 * θ switching between concepts (8, 9, 7, 9.5 in the paper), and a share of labels flipped.
 * Seeded, so a test sees the same stream on every machine.
 * Plus the glue to turn rows into prediction-log lines as a model server would write them.
 */
import type { FeatureSchema } from '../../src/drift/profile.js';
import type { Predictor } from '../../src/models/predictor.js';
import { mulberry32 } from '../../src/util/random.js';

export const SEA_SCHEMA: FeatureSchema = { f1: 'numeric', f2: 'numeric', f3: 'numeric' };

export interface SeaRow {
  f1: number;
  f2: number;
  f3: number;
  y: 0 | 1;
}

export interface SeaConcept {
  theta: number;
  rows: number;
}

/** Rows of consecutive concepts; `noise` is the share of labels flipped (0.1 in the paper). */
export function seaStream(concepts: readonly SeaConcept[], seed: number, noise = 0.1): SeaRow[] {
  const rng = mulberry32(seed);
  const out: SeaRow[] = [];
  for (const c of concepts) {
    for (let i = 0; i < c.rows; i++) {
      // Rounded like a logged value would be; keeps the lines short.
      const f1 = Math.round(rng() * 10_000) / 1000;
      const f2 = Math.round(rng() * 10_000) / 1000;
      const f3 = Math.round(rng() * 10_000) / 1000;
      const clean = f1 + f2 <= c.theta ? 1 : 0;
      out.push({ f1, f2, f3, y: (rng() < noise ? 1 - clean : clean) as 0 | 1 });
    }
  }
  return out;
}

export interface ServingModel {
  name: string;
  version: number;
  predictor: Predictor;
}

/**
 * JSON lines for `rows`: one prediction per serving model per row and one label per row
 * (arriving `labelDelayMs` later), request ids `${prefix}${start + i}`, times from `t0` a
 * second apart.
 */
export function scoredLogLines(rows: readonly SeaRow[], models: readonly ServingModel[], opts: { prefix: string; start: number; t0: number; labelDelayMs?: number }): string[] {
  const features = rows.map((r) => ({ f1: r.f1, f2: r.f2, f3: r.f3 }));
  const scored = models.map((m) => m.predictor.predict(features));
  const lines: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const id = `${opts.prefix}${opts.start + i}`;
    const ts = opts.t0 + i * 1000;
    models.forEach((m, k) => {
      const s = scored[k]!;
      lines.push(JSON.stringify({ ts, id, model: m.name, version: m.version, features: features[i], prediction: s.prediction[i], score: Number((s.score[i] as number).toFixed(5)) }));
    });
    lines.push(JSON.stringify({ ts: ts + (opts.labelDelayMs ?? 60_000), id, label: rows[i]!.y }));
  }
  return lines;
}

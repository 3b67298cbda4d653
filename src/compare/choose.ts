/**
 * Choosing among models without labels: per window, the active model and every shadow ranked by
 * their CBPE estimate of accuracy, with the estimate's band; the ranking is *confident* when the
 * leader's band lies wholly above every other model's band (non-overlapping ±3 sampling-error
 * bands — conservative: the models score the same requests, so their difference is known more
 * tightly than each estimate). Once the window's labels are in, the label-based choice (highest
 * realised accuracy) says whether the label-free one was right. Pure: snapshots in, choices out.
 */
import type { ModelEstimates } from '../engine/snapshot.js';

export interface RankedModel {
  model: string;
  estimated: number;
  band: [number, number];
}

export interface WindowChoice {
  start: number;
  end: number;
  /** Best first. */
  ranking: RankedModel[];
  best: string;
  confident: boolean;
  /** The model with the highest realised accuracy once every model's window is labelled (≥ 95% of rows), else null. */
  byLabels: string | null;
}

/** Share of a window's predictions that must be labelled before its label-based choice counts. */
export const LABELLED_SHARE = 0.95;

export function chooseByEstimate(models: readonly ModelEstimates[]): WindowChoice[] {
  const byStart = new Map<number, Array<{ model: string; w: ModelEstimates['windows'][number] }>>();
  for (const m of models) {
    for (const w of m.windows) {
      if (w.estimated === null || w.band === null) continue;
      const list = byStart.get(w.start) ?? [];
      list.push({ model: m.model, w });
      byStart.set(w.start, list);
    }
  }
  const out: WindowChoice[] = [];
  for (const [start, list] of [...byStart].sort((a, b) => a[0] - b[0])) {
    if (list.length < 2) continue;
    const ranking = list.map(({ model, w }) => ({ model, estimated: w.estimated!, band: w.band! })).sort((a, b) => b.estimated - a.estimated);
    const [lead, ...rest] = ranking;
    const labelled = list.every(({ w }) => w.rows > 0 && w.labelled >= LABELLED_SHARE * w.rows && w.realised !== null);
    const byLabels = labelled ? list.reduce((a, b) => (b.w.realised! > a.w.realised! ? b : a)).model : null;
    out.push({
      start, end: list[0].w.end, ranking, best: lead.model,
      confident: rest.every((r) => lead.band[0] > r.band[1]),
      byLabels,
    });
  }
  return out;
}

/** How often the label-free choice matched the label-based one, over windows with both (and over the confident ones). */
export function choiceAgreement(choices: readonly WindowChoice[]): { windows: number; agreed: number; confident: number; confidentAgreed: number } {
  const judged = choices.filter((c) => c.byLabels !== null);
  const conf = judged.filter((c) => c.confident);
  return {
    windows: judged.length,
    agreed: judged.filter((c) => c.best === c.byLabels).length,
    confident: conf.length,
    confidentAgreed: conf.filter((c) => c.best === c.byLabels).length,
  };
}

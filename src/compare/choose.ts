/**
 * Choosing among models without labels: per window, the active model and every shadow ranked by
 * their CBPE estimate of accuracy, with the estimate's band; the ranking is *confident* when the
 * leader's band lies wholly above every other model's band (non-overlapping ±3 sampling-error
 * bands, NannyML's sampling error — conservative: the models score the same requests, so their
 * difference is known more tightly than each estimate) and the estimates stand on reference
 * periods that overlap.
 *
 * Why the second condition, and not a looser band: the error that decided the flights incident
 * was not sampling error. CBPE assumes P(label | score) is as on the reference (NannyML's CBPE
 * assumes no concept drift, and a reference period whose performance is representative); the
 * label rate moves with the weather, so each estimate carries the label shift between its own
 * reference and the window. A model retrained on March 1–7 (storms on 03-01, 03-02, 03-04) ran
 * 4.4 points below its realised accuracy over March 8–31 while the January model (reference
 * January 25–31) ran 0.6 above: the bands did not overlap on 8 of 24 days, for the January model
 * on Sundays and Mondays and for the candidate on Tuesdays, while the labels favoured the
 * candidate on 22 of 24 days. Estimates on one period share that error and it cancels in the
 * difference; a retrain puts its source model on the candidate's period (src/retrain/jobRunner.ts)
 * and then the candidate leads with bands apart from its first two days. Estimates on disjoint
 * references are still ranked and shown, never confident. A period not known (no time column)
 * does not block confidence.
 *
 * Once the window's labels are in, the label-based choice (highest realised accuracy) says
 * whether the label-free one was right. Pure: snapshots in, choices out.
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
  const comparable = referencesOverlap(models);
  const out: WindowChoice[] = [];
  for (const [start, list] of [...byStart].sort((a, b) => a[0] - b[0])) {
    if (list.length < 2) continue;
    const ranking = list.map(({ model, w }) => ({ model, estimated: w.estimated!, band: w.band! })).sort((a, b) => b.estimated - a.estimated);
    const [lead, ...rest] = ranking;
    const labelled = list.every(({ w }) => w.rows > 0 && w.labelled >= LABELLED_SHARE * w.rows && w.realised !== null);
    const byLabels = labelled ? list.reduce((a, b) => (b.w.realised! > a.w.realised! ? b : a)).model : null;
    out.push({
      start, end: list[0].w.end, ranking, best: lead.model,
      confident: comparable && rest.every((r) => lead.band[0] > r.band[1]),
      byLabels,
    });
  }
  return out;
}

/** Whether every pair of known reference periods overlaps (unknown periods do not count against). */
export function referencesOverlap(models: readonly ModelEstimates[]): boolean {
  const known = models.flatMap((m) => (m.reference && m.reference.from !== null && m.reference.until !== null ? [{ from: m.reference.from, until: m.reference.until }] : []));
  return known.every((a) => known.every((b) => a.from <= b.until && b.from <= a.until));
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

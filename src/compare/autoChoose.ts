/**
 * The opt-in label-free switching policy (`choose.auto`, off by default; issue 12). Pure: it
 * reads the per-window choices (choose.ts) and per-window estimates, and says when to switch
 * and when to roll back; the caller switches through the registry's promote path, audited as
 * operator `policy`.
 *
 * Switch: over the last `windows` complete windows, the same shadow leads the active model by at
 * least `margin` of estimated accuracy and the ranking is confident in each. Once per window.
 * Roll back: after a policy switch, once the labels of the windows since are in, the realised
 * accuracy of the new model is significantly below the old one's over those windows
 * (two-proportion Z-test, p < alpha, pooled over the windows; conservative, as the two models
 * scored the same requests). A switch and its rollback each happen at most once per episode:
 * after a rollback the policy never switches to the model the labels contradicted again (its
 * estimate already misled once, and would lead the same windows again: a flap, not a choice),
 * and after a switch it never goes back to the model it left on estimates alone — only the
 * labels can (the rollback). Measured on the flights replay without the incident: a model
 * retrained on March 1–7 led the January one by 6–8 points, bands apart, on Tuesdays and
 * Wednesdays and trailed it by 5–9 on Sundays and Mondays (it learned the weekday from one
 * week whose Sunday had a storm, and its held-out rows share those days), while their realised
 * accuracy over March 8–31 was equal (82.2%): without this the policy switched every week.
 * The memory (PolicySwitch and the last decided window) is kept in the store by the caller.
 *
 * Only while the inputs drifted (`requireDrift`, on by default): CBPE sees the world only through
 * the scores, so with the inputs as on the reference the estimated gap between two models is a
 * re-statement of what each learned about its reference period (the weekday pattern above), not
 * news; the labelled comparison the gate makes on held-out rows is the better judge then. Under
 * covariate shift — what CBPE is built for — the estimates carry what labels will only say later.
 * So a switch also needs an open data-drift page (a dataset drift, or a feature's sustained
 * drift). Measured on the retrained-shadow replay: with the incident (hour drift paged from
 * March 1) the switch is unchanged; without it the one false switch of March 13–14 is gone.
 */
import { proportionZTest } from '../drift/proportionZ.js';
import type { ModelChoice, ModelEstimates } from '../engine/snapshot.js';

export interface AutoChooseSettings {
  auto: boolean;
  /** Estimated accuracy the shadow must lead by, as a fraction (0.01 = one point). */
  margin: number;
  /** Consecutive complete, confident windows. */
  windows: number;
  /** Significance of the rollback test. */
  alpha: number;
  /** Switch only while a data-drift page is open (see the note above). */
  requireDrift: boolean;
}

export type AutoDecision =
  | { action: 'switch'; from: string; to: string; window: number; reason: string }
  | { action: 'rollback'; from: string; to: string; reason: string };

/** What the policy remembers of its own last switch. */
export interface PolicySwitch {
  from: string;
  to: string;
  /** First window after the switch (ms): what the labels judge. */
  since: number;
  rolledBack: boolean;
}

/** The complete windows (every one but the filling last) of the choices. */
export function complete(choices: readonly ModelChoice[]): ModelChoice[] {
  return choices.slice(0, Math.max(0, choices.length - 1));
}

export function decideSwitch(s: AutoChooseSettings, choices: readonly ModelChoice[], active: string | null, lastDecided: number | null, previous: PolicySwitch | null = null, inputsDrifted = false): AutoDecision | null {
  if (!s.auto || active === null) return null;
  if (s.requireDrift && !inputsDrifted) return null;
  const done = complete(choices);
  if (done.length < s.windows) return null;
  const recent = done.slice(-s.windows);
  const last = recent[recent.length - 1];
  if (lastDecided !== null && last.start <= lastDecided) return null;
  const leader = recent[0].best;
  if (leader === active) return null;
  if (previous?.rolledBack && leader === previous.to) return null;
  // Only the labels send the policy back where it came from (decideRollback): estimates led it
  // away from that model, and estimates that swing the other way are what misled it, not news.
  if (previous && !previous.rolledBack && previous.to === active && leader === previous.from) return null;
  for (const c of recent) {
    if (c.best !== leader || !c.confident) return null;
    const lead = c.ranking.find((r) => r.model === leader)!;
    const act = c.ranking.find((r) => r.model === active);
    if (!act || lead.estimated - act.estimated < s.margin) return null;
  }
  const gap = recent.map((c) => c.ranking.find((r) => r.model === leader)!.estimated - c.ranking.find((r) => r.model === active)!.estimated);
  return {
    action: 'switch', from: active, to: leader, window: last.start,
    reason: `${leader} estimated ahead of ${active} by ${gap.map((g) => (g * 100).toFixed(1)).join(', ')} points in the last ${s.windows} windows, bands apart (no labels)`,
  };
}

export function decideRollback(s: AutoChooseSettings, estimates: readonly ModelEstimates[], last: PolicySwitch | null): AutoDecision | null {
  if (!s.auto || last === null || last.rolledBack) return null;
  const of = (m: string) => estimates.find((e) => e.model === m);
  const a = of(last.to);
  const b = of(last.from);
  if (!a || !b) return null;
  let na = 0, ca = 0, nb = 0, cb = 0;
  for (const w of a.windows) {
    if (w.start < last.since || w.realised === null) continue;
    const o = b.windows.find((x) => x.start === w.start);
    if (!o || o.realised === null) continue;
    na += w.labelled; ca += w.realised * w.labelled;
    nb += o.labelled; cb += o.realised * o.labelled;
  }
  if (na === 0 || nb === 0) return null;
  const { pValue } = proportionZTest(Math.round(ca), na, Math.round(cb), nb);
  if (!(ca / na < cb / nb && pValue < s.alpha)) return null;
  return {
    action: 'rollback', from: last.to, to: last.from,
    reason: `labels since the switch: ${last.to} ${(100 * ca / na).toFixed(1)}% against ${last.from} ${(100 * cb / nb).toFixed(1)}% on ${na} rows (p = ${pValue.toExponential(1)})`,
  };
}

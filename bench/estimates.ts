/**
 * `npm run bench -- estimates`: issue 12's CBPE figures and the label-free choice, by the same
 * computation as test/engine/cbpeFlights.test.ts (test/helpers/cbpeStudy.ts): a logistic
 * regression and an MLP trained on January 2001, February–March replayed, the engine run over
 * it as the console runs it, per day the estimated accuracy beside the realised one.
 *
 * Rows: per model the mean per-day |estimated − realised| (target ≤ 3 points) and the bias over
 * February (target within ±2), without the incident; the share of days the label-free choice
 * (logreg vs MLP) named the model the labels later chose, without and with the incident. The
 * notes give the floor: the daily realised accuracy's sd, what the two months' mean alone misses
 * per day, and how much of the daily variance the estimate explains.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { choiceAgreement } from '../src/compare/choose.js';
import { cbpeStudy, formatStudy, type CbpeStudy } from '../test/helpers/cbpeStudy.js';
import type { BenchResult, BenchRow } from './types.js';

const pts = (x: number): number => Math.round(x * 10000) / 100;

async function study(incident?: string): Promise<{ s: CbpeStudy; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-estimates-'));
  try {
    return { s: await cbpeStudy({ incident, dir }), dir };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export async function main(): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  for (const incident of [undefined, 'hour+6h@2001-03-01']) {
    const { s, dir } = await study(incident);
    try {
      const label = incident ? 'with the incident' : 'without the incident';
      if (!incident) {
        for (const m of s.models) {
          rows.push({ metric: `${m.model}: per-day |estimated − realised| (Feb–Mar, ${label})`, value: pts(m.meanAbsError), unit: 'pts', baseline: pts(m.constantOracle), ratio: m.meanAbsError / m.constantOracle, target: '≤ 3 pts (baseline: the two months’ mean said every day)', met: m.meanAbsError <= 0.03 });
          rows.push({ metric: `${m.model}: bias over February (${label})`, value: pts(m.februaryBias), unit: 'pts', target: 'within ±2 pts', met: Math.abs(m.februaryBias) <= 0.02 });
        }
        notes.push(formatStudy(s.models));
      }
      const a = choiceAgreement(s.engine.current()!.choices);
      rows.push({ metric: `label-free choice (logreg vs MLP) = the labels' choice, ${label}`, value: a.agreed, unit: 'days', baseline: a.windows, ratio: a.agreed / a.windows, target: 'reported (no target)' });
      notes.push(`${label}: the label-free choice named the labels' choice on ${a.agreed} of ${a.windows} days; confident on ${a.confident}, of which ${a.confidentAgreed} agreed`);
    } finally {
      await s.engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { name: 'estimates', rows, notes };
}

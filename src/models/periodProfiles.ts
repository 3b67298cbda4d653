/**
 * Reference profiles per weekday, and of the model's own scores.
 *
 * A daily window holds one weekday, and flights (like most traffic) differ by
 * weekday: Saturdays fly other hours and distances. Against the whole training
 * set such a day looks drifted although nothing changed. Profiles of the
 * training rows per weekday let the engine compare a day with the same weekday
 * of the reference ("the same period"). They are binned on the overall
 * profile's edges so live windows line up with them.
 *
 * Scores: the distribution of the model's scores on its own training rows is
 * the reference for prediction drift (without it, the first live window would
 * have to serve, and that is just one weekday).
 */
import { formatDay } from '../core/time.js';
import { buildProfile, type DatasetProfile, type FeatureSchema, type NumericProfile } from '../drift/profile.js';
import { parseTime } from '../core/time.js';

export interface PeriodProfiles {
  period: 'weekday';
  /** keyed by UTC day of week 0 (Sunday) … 6 */
  features: Record<string, DatasetProfile>;
  scores: Record<string, NumericProfile>;
}

export function scoreProfile(scores: ArrayLike<number>, reference?: NumericProfile): NumericProfile {
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < scores.length; i++) rows.push({ score: scores[i] });
  const ref = reference ? { rows: reference.count, columns: { score: reference } } : undefined;
  return buildProfile(rows, { score: 'numeric' }, ref).columns.score as NumericProfile;
}

export function weekdayProfiles(
  rows: readonly Record<string, unknown>[],
  scores: ArrayLike<number> | null,
  time: string,
  schema: FeatureSchema,
  overall: DatasetProfile,
  overallScores: NumericProfile | null,
): PeriodProfiles | null {
  // Group by calendar day first: the first and last day of the span are usually cut
  // (the fitted rows of the flights demo end at 18:30 on 2001-01-25) and hold only
  // some hours, which biases their weekday's profile: they are left out, as are days
  // with fewer than half the median day's rows.
  const days = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const t = parseTime(r[time]);
    if (t === null) return;
    const day = formatDay(t);
    const g = days.get(day);
    if (g) g.push(i);
    else days.set(day, [i]);
  });
  const sizes = [...days.values()].map((g) => g.length).sort((a, b) => a - b);
  const median = sizes.length > 0 ? sizes[Math.floor(sizes.length / 2)] : 0;
  const ordered = [...days.keys()].sort();
  const edges = ordered.length > 2 ? new Set([ordered[0], ordered[ordered.length - 1]]) : new Set<string>();
  const groups = new Map<number, number[]>();
  for (const [day, idx] of days) {
    if (idx.length < median / 2 || edges.has(day)) continue;
    const d = new Date(`${day}T00:00:00Z`).getUTCDay();
    const g = groups.get(d);
    if (g) g.push(...idx);
    else groups.set(d, [...idx]);
  }
  if (groups.size < 2) return null;
  const features: Record<string, DatasetProfile> = {};
  const scoreProfiles: Record<string, NumericProfile> = {};
  for (const [d, idx] of groups) {
    features[String(d)] = buildProfile(idx.map((i) => rows[i]), schema, overall);
    if (scores && overallScores) scoreProfiles[String(d)] = scoreProfile(idx.map((i) => scores[i]), overallScores);
  }
  return { period: 'weekday', features, scores: scoreProfiles };
}

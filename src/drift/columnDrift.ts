// Compares one column of two profiles (reference, current) and decides ok / warn / drift.
//
// Default method, as Evidently chooses it (get_default_stattest), with n = the reference's
// non-missing values and "values" = distinct values over both windows:
//   n ≤ 1000: numeric with > 5 values → KS; numeric with 3–5 values → chi-squared;
//             numeric or categorical with ≤ 2 values (0/1 flags) → two-proportion Z;
//             other categorical → chi-squared; drift at p < 0.05.
//   n > 1000: numeric with > 5 values → normalised Wasserstein; otherwise → Jensen–Shannon;
//             drift at distance ≥ 0.1.
// Large samples make every p-value tiny, hence effect sizes there. PSI is always reported: on the
// reference's decile bins, except for numeric columns with at most PSI_VALUE_BINS distinct
// reference values, whose values are the bins (Evidently's rule; deciles of a 0/1 or 1–5 column
// collapse into one bin and PSI would always be 0).
// KS and Wasserstein are exact from value counts when both windows have fewer than 1,000
// distinct values, exact from all sorted values when a profile carries them (`values`, the
// offline command), otherwise computed on the profiles' samples (exact when a window fits in the
// sample); the KS p-value always uses the true window sizes. Missing-value rate drift uses the Z-test with the same
// levels, but a rate change under one percentage point is never flagged (huge windows would
// otherwise flag any change). A statistic is NaN when a window has no non-missing values; a
// current window whose column is all missing then takes the level of its missing-rate drift
// (an all-"N/A" column is the strongest drift there is, not "ok").
import { chi2Homogeneity } from './chi2.js';
import { alignCategories, type CategoryCounts } from './categories.js';
import { jensenShannonDistance } from './jensenShannon.js';
import { ksPValue, ksStatisticSorted } from './ks.js';
import { levelFromDistance, levelFromPValue, type DriftLevel } from './levels.js';
import type { ColumnKind, ColumnProfile, DatasetProfile, NumericProfile } from './profile.js';
import { countInBins } from './bins.js';
import { proportionZTest } from './proportionZ.js';
import { psiFromCounts } from './psi.js';
import { wassersteinNorm, wassersteinSorted } from './wasserstein.js';
import { fromValueCounts, ksStatisticWeighted, wassersteinWeighted } from './weighted.js';

import type { DriftMethod } from './methods.js';
export type { DriftMethod };
export type { DriftLevel };

export const P_VALUE_METHODS: ReadonlySet<DriftMethod> = new Set(['ks', 'chisquare', 'z']);
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
};
/** Evidently's switch from p-values to distances. */
export const SMALL_REFERENCE_ROWS = 1000;
/** Numeric columns with at most this many distinct reference values use them as PSI bins (Evidently: 20). */
export const PSI_VALUE_BINS = 20;
export const MISSING_RATE_ALPHA = 0.05;
export const MISSING_RATE_MIN_DIFFERENCE = 0.01;

export interface CompareOptions {
  method?: DriftMethod;
  threshold?: number;
}

export interface MissingRateDrift {
  reference: number;
  current: number;
  pValue: number;
  level: DriftLevel;
}

export interface ColumnDriftResult {
  feature: string;
  kind: ColumnKind;
  method: DriftMethod;
  statistic: number;
  /** For KS, chi-squared and Z; null for distances. */
  pValue: number | null;
  threshold: number;
  level: DriftLevel;
  psi: number;
  missingRate: MissingRateDrift;
  newCategories: string[];
  vanishedCategories: string[];
  /** Non-missing values in each window. */
  nReference: number;
  nCurrent: number;
}

/** Counts to compare as categories: category counts, exact value counts, or the PSI bins. */
function discreteCounts(ref: ColumnProfile, cur: ColumnProfile): { ref: CategoryCounts; cur: CategoryCounts } {
  if (ref.kind === 'categorical' && cur.kind === 'categorical') return { ref: ref.counts, cur: cur.counts };
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    if (ref.valueCounts && cur.valueCounts) return { ref: ref.valueCounts, cur: cur.valueCounts };
    const curBins = currentBinCounts(ref, cur);
    const toMap = (xs: number[]): Record<string, number> => Object.fromEntries(xs.map((c, i) => [`bin${i}`, c]));
    return { ref: toMap(ref.binCounts), cur: toMap(curBins) };
  }
  throw new TypeError('reference and current profiles of a column must have the same kind');
}

function sameEdges(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((e, i) => e === b[i]);
}

/**
 * Current counts on the reference's bins. Profiles built against the reference already have
 * them; otherwise the current sample is binned and scaled to the window's size (approximate
 * when the window is larger than its sample).
 */
function currentBinCounts(ref: NumericProfile, cur: NumericProfile): number[] {
  if (sameEdges(ref.binEdges, cur.binEdges) && cur.binCounts.length === ref.binCounts.length) return cur.binCounts;
  const counts = countInBins(ref.binEdges, cur.sample);
  const scale = cur.sample.length > 0 ? cur.count / cur.sample.length : 0;
  return counts.map((c) => c * scale);
}

function distinctValues(ref: ColumnProfile, cur: ColumnProfile): number {
  if (ref.kind === 'categorical' && cur.kind === 'categorical') return alignCategories(ref.counts, cur.counts).keys.length;
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    if (ref.valueCounts && cur.valueCounts) return alignCategories(ref.valueCounts, cur.valueCounts).keys.length;
    return Math.max(ref.distinct, cur.distinct);
  }
  throw new TypeError('reference and current profiles of a column must have the same kind');
}

/** Evidently's default test for this pair of profiles. */
export function defaultMethod(ref: ColumnProfile, cur: ColumnProfile): DriftMethod {
  const values = distinctValues(ref, cur);
  if (ref.count <= SMALL_REFERENCE_ROWS) {
    if (values <= 2) return 'z';
    if (ref.kind === 'numeric') return values > 5 ? 'ks' : 'chisquare';
    return 'chisquare';
  }
  if (ref.kind === 'numeric') return values > 5 ? 'wasserstein' : 'jensenshannon';
  return 'jensenshannon';
}

function psiOf(ref: ColumnProfile, cur: ColumnProfile): number {
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    if (ref.valueCounts && cur.valueCounts && Object.keys(ref.valueCounts).length <= PSI_VALUE_BINS) {
      const u = alignCategories(ref.valueCounts, cur.valueCounts);
      return psiFromCounts(u.reference, u.current);
    }
    return psiFromCounts(ref.binCounts, currentBinCounts(ref, cur));
  }
  const d = discreteCounts(ref, cur);
  const u = alignCategories(d.ref, d.cur);
  return psiFromCounts(u.reference, u.current);
}

function missingRate(ref: ColumnProfile, cur: ColumnProfile): MissingRateDrift {
  const nr = ref.count + ref.missing;
  const nc = cur.count + cur.missing;
  const reference = nr > 0 ? ref.missing / nr : 0;
  const current = nc > 0 ? cur.missing / nc : 0;
  const { pValue } = proportionZTest(ref.missing, nr, cur.missing, nc);
  const level = Math.abs(current - reference) < MISSING_RATE_MIN_DIFFERENCE ? 'ok' : levelFromPValue(pValue, MISSING_RATE_ALPHA);
  return { reference, current, pValue, level };
}

/** Every value when the profile carries them (exact), else its sample. */
function allValues(p: NumericProfile): ArrayLike<number> {
  return p.values && p.values.length === p.count ? p.values : p.sample;
}

function runMethod(method: DriftMethod, ref: ColumnProfile, cur: ColumnProfile): { statistic: number; pValue: number | null } {
  if (ref.count === 0 || cur.count === 0) return { statistic: NaN, pValue: P_VALUE_METHODS.has(method) ? NaN : null };
  switch (method) {
    case 'ks': {
      if (ref.kind !== 'numeric' || cur.kind !== 'numeric') throw new TypeError('KS needs numeric profiles');
      const counted = ref.valueCounts && cur.valueCounts;
      const a = allValues(ref);
      const b = allValues(cur);
      const exact = counted || (a.length === ref.count && b.length === cur.count);
      const d = counted
        ? ksStatisticWeighted(fromValueCounts(ref.valueCounts!), fromValueCounts(cur.valueCounts!))
        : ksStatisticSorted(a, b);
      const r = ksPValue(d, ref.count, cur.count);
      return { statistic: exact ? r.statistic : d, pValue: r.pValue };
    }
    case 'wasserstein': {
      if (ref.kind !== 'numeric' || cur.kind !== 'numeric') throw new TypeError('Wasserstein needs numeric profiles');
      const w =
        ref.valueCounts && cur.valueCounts
          ? wassersteinWeighted(fromValueCounts(ref.valueCounts), fromValueCounts(cur.valueCounts))
          : wassersteinSorted(allValues(ref), allValues(cur));
      return { statistic: w / wassersteinNorm(ref.std), pValue: null };
    }
    case 'chisquare': {
      const d = discreteCounts(ref, cur);
      const u = alignCategories(d.ref, d.cur);
      const r = chi2Homogeneity(u.reference, u.current);
      return { statistic: r.statistic, pValue: r.pValue };
    }
    case 'jensenshannon': {
      const d = discreteCounts(ref, cur);
      const u = alignCategories(d.ref, d.cur);
      return { statistic: jensenShannonDistance(u.reference, u.current), pValue: null };
    }
    case 'z': {
      // Evidently: the share of the first category (sorted) in each window.
      const d = discreteCounts(ref, cur);
      const u = alignCategories(d.ref, d.cur);
      const r = proportionZTest(u.reference[0] ?? 0, ref.count, u.current[0] ?? 0, cur.count);
      return { statistic: r.z, pValue: r.pValue };
    }
    case 'psi':
      return { statistic: psiOf(ref, cur), pValue: null };
  }
}

export function compareColumn(name: string, ref: ColumnProfile, cur: ColumnProfile, opts: CompareOptions = {}): ColumnDriftResult {
  if (ref.kind !== cur.kind) throw new TypeError(`column ${name}: reference is ${ref.kind}, current is ${cur.kind}`);
  const method = opts.method ?? defaultMethod(ref, cur);
  const threshold = opts.threshold ?? DEFAULT_THRESHOLDS[method];
  const { statistic, pValue } = runMethod(method, ref, cur);
  const missing = missingRate(ref, cur);
  const allMissing = cur.count === 0 && cur.missing > 0 && ref.count > 0;
  const level = allMissing
    ? missing.level
    : P_VALUE_METHODS.has(method) ? levelFromPValue(pValue ?? NaN, threshold) : levelFromDistance(statistic, threshold);
  const cats = ref.kind === 'categorical' && cur.kind === 'categorical' ? alignCategories(ref.counts, cur.counts) : null;
  return {
    feature: name,
    kind: ref.kind,
    method,
    statistic,
    pValue,
    threshold,
    level,
    psi: ref.count > 0 && cur.count > 0 ? psiOf(ref, cur) : NaN,
    missingRate: missing,
    newCategories: cats ? cats.newCategories : [],
    vanishedCategories: cats ? cats.vanishedCategories : [],
    nReference: ref.count,
    nCurrent: cur.count,
  };
}

export interface CompareDatasetsOptions extends CompareOptions {
  /** Per-feature overrides of method and threshold. */
  features?: Record<string, CompareOptions>;
  /** Only these columns (default: every column of the reference also in the current profile). */
  only?: string[];
}

export function compareDatasets(ref: DatasetProfile, cur: DatasetProfile, opts: CompareDatasetsOptions = {}): ColumnDriftResult[] {
  const names = (opts.only ?? Object.keys(ref.columns)).filter((n) => ref.columns[n] && cur.columns[n]);
  return names.map((name) => {
    const own = opts.features?.[name] ?? {};
    return compareColumn(name, ref.columns[name], cur.columns[name], {
      method: own.method ?? opts.method,
      threshold: own.threshold ?? (own.method ? undefined : opts.threshold),
    });
  });
}

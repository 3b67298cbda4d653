/**
 * Data-quality rules per feature, and the check of one row against them. Pure functions.
 *
 * A rule says what a feature's values may be: its type, an allowed range (numeric), the
 * allowed categories (categorical), the largest share of missing values and of values outside
 * the allowed categories that a window may hold. Rules are inferred from a reference profile
 * (a model's training rows) and then live in the config file, where the operator edits them.
 *
 * Two levels, as in Renggli et al. (2021) and Great Expectations: a row violates a rule when
 * one of its values has the wrong type, lies outside the range or is a category the reference
 * never had (the row is flagged, never dropped); a window violates a rule when its missing
 * share or its share of new categories is above the maximum. A missing value is a row
 * violation only when the rule allows no missing value at all (maxMissingShare 0): otherwise
 * a single missing value is normal and only their share can be wrong.
 */
import type { DatasetProfile, FeatureSchema } from '../drift/profile.js';
import { isMissing, toNumber } from '../core/values.js';
import { hashString } from '../util/random.js';

export type RuleType = 'numeric' | 'categorical';
export type ViolationKind = 'type' | 'range' | 'category' | 'missing';
export const VIOLATION_KINDS: readonly ViolationKind[] = ['type', 'range', 'category', 'missing'];

export interface FeatureRule {
  type: RuleType;
  /** numeric: inclusive bounds */
  min?: number;
  max?: number;
  /** categorical: the allowed values (absent = any value) */
  categories?: string[];
  /** largest share of missing values a window may hold, in [0, 1] */
  maxMissingShare: number;
  /** categorical: largest share of values outside `categories` a window may hold, in [0, 1] */
  maxNewCategoryShare?: number;
}

export type QualityRules = Record<string, FeatureRule>;

export interface Violation {
  feature: string;
  kind: ViolationKind;
}

/** A reference with more distinct values than this is an identifier or free text: no category list. */
export const MAX_RULE_CATEGORIES = 2000;
/** Slack on the reference's missing share: a window may hold this much more than the reference did. */
export const MISSING_SLACK = 0.01;
/** New categories a window may hold before the window violates the rule. */
export const DEFAULT_NEW_CATEGORY_SHARE = 0.01;

/**
 * Rules from a reference profile: numeric range = the reference's [min, max]; categories = every
 * category the reference had (unless there are more than MAX_RULE_CATEGORIES); missing share =
 * the reference's share plus MISSING_SLACK, rounded up to 3 decimals.
 */
export function inferRules(profile: DatasetProfile, schema: FeatureSchema): QualityRules {
  const rules: QualityRules = {};
  for (const [name, kind] of Object.entries(schema)) {
    const col = profile.columns[name];
    if (!col) continue;
    const rows = col.count + col.missing;
    const missingShare = rows > 0 ? col.missing / rows : 0;
    const maxMissingShare = Math.min(1, Math.ceil((missingShare + MISSING_SLACK) * 1000) / 1000);
    if (kind === 'numeric' && col.kind === 'numeric') {
      rules[name] = col.count > 0 ? { type: 'numeric', min: col.min, max: col.max, maxMissingShare } : { type: 'numeric', maxMissingShare };
    } else if (col.kind === 'categorical') {
      const cats = Object.keys(col.counts).sort();
      rules[name] = cats.length > 0 && cats.length <= MAX_RULE_CATEGORIES
        ? { type: 'categorical', categories: cats, maxMissingShare, maxNewCategoryShare: DEFAULT_NEW_CATEGORY_SHARE }
        : { type: 'categorical', maxMissingShare };
    } else {
      // a numeric column profiled as categorical (or the reverse): keep the type, no bounds
      rules[name] = { type: kind, maxMissingShare };
    }
  }
  return rules;
}

/** Compiled form of a rule set: category lists as sets, for checking rows at ingest speed. */
export interface RuleChecker {
  readonly features: readonly string[];
  check(features: Readonly<Record<string, unknown>>): Violation[];
}

export function compileRules(rules: QualityRules): RuleChecker {
  const entries = Object.entries(rules).map(([name, r]) => ({ name, r, cats: r.categories ? new Set(r.categories) : null }));
  return {
    features: entries.map((e) => e.name),
    check(features) {
      const out: Violation[] = [];
      for (const { name, r, cats } of entries) {
        const v = features[name];
        if (isMissing(v)) {
          if (r.maxMissingShare === 0) out.push({ feature: name, kind: 'missing' });
          continue;
        }
        if (r.type === 'numeric') {
          // a boolean or a non-numeric string where a number belongs is a type error
          const x = typeof v === 'boolean' ? null : toNumber(v);
          if (x === null) out.push({ feature: name, kind: 'type' });
          else if ((r.min !== undefined && x < r.min) || (r.max !== undefined && x > r.max)) out.push({ feature: name, kind: 'range' });
        } else if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          out.push({ feature: name, kind: 'type' });
        } else if (cats !== null && !cats.has(String(v))) {
          out.push({ feature: name, kind: 'category' });
        }
      }
      return out;
    },
  };
}

/** Counts of one feature in one window. */
export interface WindowCounts {
  rows: number;
  missing: number;
  type: number;
  range: number;
  category: number;
}

export type WindowBreach = 'missing-share' | 'new-category-share';

/** Window-level violations: the missing share or the new-category share above the rule's maximum. */
export function windowBreaches(rule: FeatureRule, c: WindowCounts): WindowBreach[] {
  if (c.rows === 0) return [];
  const out: WindowBreach[] = [];
  if (c.missing / c.rows > rule.maxMissingShare) out.push('missing-share');
  const present = c.rows - c.missing;
  if (rule.maxNewCategoryShare !== undefined && present > 0 && c.category / present > rule.maxNewCategoryShare) out.push('new-category-share');
  return out;
}

export class RuleError extends Error {}

/**
 * Validates rules as read from JSON; `key` is the config path of the rule set
 * (e.g. "quality.rules"), so an error names the exact key.
 */
export function validateRules(raw: unknown, key: string): QualityRules {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObj(raw)) throw new RuleError(`config key "${key}" must be an object of feature name to rule`);
  const out: QualityRules = {};
  for (const [name, r] of Object.entries(raw)) {
    const k = `${key}.${name}`;
    if (!isObj(r)) throw new RuleError(`config key "${k}" must be an object`);
    for (const f of Object.keys(r)) {
      if (!['type', 'min', 'max', 'categories', 'maxMissingShare', 'maxNewCategoryShare'].includes(f)) throw new RuleError(`unknown config key "${k}.${f}"`);
    }
    if (r.type !== 'numeric' && r.type !== 'categorical') throw new RuleError(`config key "${k}.type" must be "numeric" or "categorical"`);
    const share = (f: string): number | undefined => {
      const v = r[f];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new RuleError(`config key "${k}.${f}" must be a number between 0 and 1`);
      return v;
    };
    const num = (f: string): number | undefined => {
      const v = r[f];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RuleError(`config key "${k}.${f}" must be a finite number`);
      return v;
    };
    const rule: FeatureRule = { type: r.type, maxMissingShare: share('maxMissingShare') ?? 1 };
    if (r.type === 'numeric') {
      for (const f of ['categories', 'maxNewCategoryShare']) if (r[f] !== undefined) throw new RuleError(`config key "${k}.${f}" applies to categorical features only`);
      const min = num('min');
      const max = num('max');
      if (min !== undefined && max !== undefined && min > max) throw new RuleError(`config key "${k}.min" must not be above "${k}.max"`);
      if (min !== undefined) rule.min = min;
      if (max !== undefined) rule.max = max;
    } else {
      for (const f of ['min', 'max']) if (r[f] !== undefined) throw new RuleError(`config key "${k}.${f}" applies to numeric features only`);
      if (r.categories !== undefined) {
        if (!Array.isArray(r.categories) || !r.categories.every((c) => typeof c === 'string')) throw new RuleError(`config key "${k}.categories" must be an array of strings`);
        rule.categories = r.categories as string[];
      }
      const s = share('maxNewCategoryShare');
      if (s !== undefined) rule.maxNewCategoryShare = s;
    }
    out[name] = rule;
  }
  return out;
}

/** A stable fingerprint of a rule set: counts made under other rules are recomputed. */
export function rulesFingerprint(rules: QualityRules): string {
  // keys sorted at both levels: the same rules written in another key order are the same rules
  const canon = (o: object): string => JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))));
  const s = Object.keys(rules).sort().map((k) => `${k}=${canon(rules[k]!)}`).join(';');
  return `${hashString(s).toString(16)}-${s.length}`;
}

/**
 * Checks ingested predictions against the quality rules and counts violations per model,
 * window and feature in the store. It follows the predictions table with a rowid cursor
 * (committed with the counts), so the hook into ingest is one call after each committed batch
 * (`catchUp`), a pass costs the new rows only, and a crash between ingest and the check loses
 * nothing: the next pass starts at the committed cursor. Rows are flagged, never dropped.
 *
 * When the rules or the window length change, the counts made under the old ones mean
 * something else: they are cleared and every stored row is checked again once.
 */
import type { Db } from '../../store/db.js';
import { commitQuality, predictionsAfter, qualityState, resetQuality, type QualityFlag, type WindowDelta } from '../../store/quality.js';
import { compileRules, rulesFingerprint, type QualityRules, type RuleChecker } from './rules.js';
import { isMissing } from '../core/values.js';
import type { Config } from '../config.js';
import { parseDuration } from '../core/time.js';
import { activeModel } from '../../store/registry.js';
import { resolveRules, type ResolvedRules } from './reference.js';

export const CHECK_PAGE_ROWS = 5000;

export class QualityChecker {
  private readonly checker: RuleChecker;
  private readonly fingerprint: string;

  constructor(private readonly db: Db, private readonly rules: QualityRules, private readonly windowMs: number) {
    if (!(windowMs > 0)) throw new Error(`quality window must be positive, not ${windowMs}`);
    this.checker = compileRules(rules);
    this.fingerprint = rulesFingerprint(rules);
  }

  private ensureState(): number {
    const s = qualityState(this.db);
    if (s === null || s.fingerprint !== this.fingerprint || s.windowMs !== this.windowMs) {
      resetQuality(this.db, this.fingerprint, this.windowMs);
      return 0;
    }
    return s.cursor;
  }

  /** Checks one page of new rows; true when nothing was left to check. */
  step(pageRows = CHECK_PAGE_ROWS): boolean {
    const cursor = this.ensureState();
    const rows = predictionsAfter(this.db, cursor, pageRows);
    if (rows.length === 0) return true;
    const deltas = new Map<string, WindowDelta>();
    const flags: QualityFlag[] = [];
    const features = this.checker.features;
    for (const r of rows) {
      let values: Record<string, unknown>;
      try {
        values = JSON.parse(r.features) as Record<string, unknown>;
      } catch {
        values = {};
      }
      const windowStart = Math.floor(r.ts / this.windowMs) * this.windowMs;
      const violations = this.checker.check(values);
      for (const feature of features) {
        const key = `${r.model}\u0000${r.version}\u0000${windowStart}\u0000${feature}`;
        let d = deltas.get(key);
        if (!d) {
          d = { model: r.model, version: r.version, windowStart, feature, rows: 0, missing: 0, type: 0, range: 0, category: 0, flagged: 0 };
          deltas.set(key, d);
        }
        d.rows++;
        if (isMissing(values[feature])) d.missing++;
      }
      for (const v of violations) {
        const d = deltas.get(`${r.model}\u0000${r.version}\u0000${windowStart}\u0000${v.feature}`)!;
        if (v.kind !== 'missing') d[v.kind]++;
        d.flagged++;
        flags.push({ predictionId: r.id, feature: v.feature, kind: v.kind });
      }
    }
    // Another process may have counted the same rows meanwhile: then its commit stands and we re-read.
    const committed = commitQuality(this.db, cursor, rows[rows.length - 1]!.id, [...deltas.values()], flags);
    return committed && rows.length < pageRows;
  }

  /** Checks every row not yet checked; returns how many pages it took. */
  catchUp(): number {
    let pages = 0;
    while (!this.step()) pages++;
    return pages + 1;
  }
}

/**
 * The hook ingest calls after committing: brings the counts up to date with the rules in force
 * (the config's, else the active model's). Returns the rules, or null when there are none yet.
 */
export function checkQuality(db: Db, config: Config): ResolvedRules | null {
  const resolved = resolveRules(db, config);
  if (!resolved) return null;
  new QualityChecker(db, resolved.rules, parseDuration(config.drift.window)).catchUp();
  return resolved;
}

export interface QualityFollower {
  /** Checks one page of new rows; true when caught up (or when there are no rules yet). */
  step(pageRows?: number): boolean;
  catchUp(): void;
  /** The rules in force, or null when there are none yet. */
  rules(): ResolvedRules | null;
}

/**
 * The same as a hook kept for a process's life: the rules are resolved again only when the
 * active model changes (rules from the config never change under a running process), so a
 * call after every committed batch costs one small query plus the new rows.
 */
export function qualityFollower(db: Db, config: Config): QualityFollower {
  let key: string | null = null;
  let checker: QualityChecker | null = null;
  let resolved: ResolvedRules | null = null;
  const windowMs = parseDuration(config.drift.window);
  const current = (): QualityChecker | null => {
    const fromConfig = config.quality?.rules && Object.keys(config.quality.rules).length > 0;
    const k = fromConfig ? 'config' : `model:${activeModel(db)?.id ?? 'none'}`;
    if (k !== key) {
      key = k;
      resolved = resolveRules(db, config);
      checker = resolved ? new QualityChecker(db, resolved.rules, windowMs) : null;
    }
    return checker;
  };
  return {
    step: (pageRows?: number) => current()?.step(pageRows) ?? true,
    catchUp: () => { current()?.catchUp(); },
    rules: () => { current(); return resolved; },
  };
}

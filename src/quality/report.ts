/**
 * The quality report of one model: violations per feature and window (from the counts the
 * checker keeps), what they cost the model, what cleaning each feature would buy, ranked,
 * and the rows to clean first. This is the orchestration over the pure parts (rules, cost,
 * gain, rank): it reads the store and re-scores rows with the model, so it loads tfjs —
 * commands import it lazily.
 *
 * Rows with a label give realised figures; rows still waiting for one give CBPE estimates
 * (scores calibrated with isotonic regression on this model's labelled rows without any
 * violation — clean rows, so the calibration does not learn the corruption). A CBPE figure
 * cannot see a corrupted input that makes the model confidently wrong: it is reported apart,
 * and the ranking uses the realised gain whenever labelled violating rows exist.
 */
import type { Db } from '../../store/db.js';
import { listModels, refOf, type ModelInfo } from '../../store/registry.js';
import { qualityFlagsOf, qualityWindows, scoredRows, type ScoredRow } from '../../store/quality.js';
import { driftWindows } from '../../store/analyticsQueries.js';
import type { Config } from '../config.js';
import type { ColumnDriftResult } from '../drift/columnDrift.js';
import { calibrateBinary, fitBinaryCalibrator, identityBinaryCalibrator, type BinaryCbpeCalibrator } from '../compare/cbpe.js';
import { classSpace, type ClassSpace } from '../core/classes.js';
import { loadArtifact } from '../registry/saveArtifact.js';
import { loadPredictor, type Predictor } from '../models/predictor.js';
import type { ModelArtifact } from '../models/artifact.js';
import { mulberry32, type Rng } from '../util/random.js';
import { checkQuality } from './checker.js';
import { violationCost, type ViolationCost } from './cost.js';
import { cleaningGain, rankRows, rowPriority, type CleaningGain } from './gain.js';
import { rankByImportance } from './rank.js';
import { modelReference } from './reference.js';
import { referenceSampler } from './referenceDraws.js';
import { windowBreaches, type FeatureRule, type WindowBreach } from './rules.js';

export const DEFAULT_DRAWS = 5;
/** Labelled clean rows needed before CBPE calibrates; below it raw scores stand in. */
export const CALIBRATION_MIN_ROWS = 200;

export interface QualityOptions {
  /** NAME@V; default the active model */
  model?: string | null;
  since?: number | null;
  until?: number | null;
  /** draws from the reference per violating row */
  draws?: number;
  seed?: number;
  /** windows per feature in the history */
  windows?: number;
}

export interface WindowPoint {
  start: number;
  rows: number;
  flagged: number;
  missing: number;
  share: number;
  breaches: WindowBreach[];
}

export interface FeatureQuality {
  feature: string;
  rule: FeatureRule;
  violations: { rows: number; share: number; type: number; range: number; category: number; missing: number; windowsBreached: number };
  windows: WindowPoint[];
  cost: { metric: 'accuracy'; realised: ViolationCost | null; estimated: ViolationCost | null };
  gain: { metric: 'accuracy'; realised: CleaningGain | null; estimated: CleaningGain | null; value: number | null; ci: [number, number] | null; basis: 'labels' | 'cbpe' | null };
  importance: number | null;
}

export interface DriftRank {
  feature: string;
  method: string;
  statistic: number;
  /** PSI of the column: one effect size on one scale for every kind of column */
  effect: number;
  level: string;
  importance: number | null;
  weighted: number;
}

export interface QualityReport {
  model: string;
  rules: { source: string; features: number };
  rows: number;
  labelled: number;
  accuracy: number | null;
  estimatedAccuracy: number | null;
  /** ranked: the feature whose cleaning buys most first */
  features: FeatureQuality[];
  drift: { window: number | null; features: DriftRank[] };
  /** each other model that logged predictions: what the same violations cost it */
  models: Array<{ model: string; rows: number; labelled: number; features: Array<{ feature: string; violations: number; cost: ViolationCost | null }> }>;
}

// ---- rows of one model ------------------------------------------------------

interface ModelRows {
  space: ClassSpace;
  rows: ScoredRow[];
  features: Record<string, unknown>[];
  label: Int32Array; // -1 = no label yet
  predicted: Int32Array;
  /** per row: features flagged */
  flags: Array<Set<string> | undefined>;
  calibrator: BinaryCbpeCalibrator;
}

function readModelRows(db: Db, info: ModelInfo, classes: readonly (string | number)[], opts: QualityOptions): ModelRows {
  const space = classSpace(classes);
  const rows = scoredRows(db, info.name, info.version, opts.since, opts.until);
  const index = new Map<number, number>();
  rows.forEach((r, i) => index.set(r.id, i));
  const flags: Array<Set<string> | undefined> = new Array(rows.length);
  for (const f of qualityFlagsOf(db, info.name, info.version, opts.since, opts.until)) {
    const i = index.get(f.predictionId);
    if (i === undefined) continue;
    (flags[i] ??= new Set()).add(f.feature);
  }
  const label = new Int32Array(rows.length).fill(-1);
  const predicted = new Int32Array(rows.length);
  const features: Record<string, unknown>[] = new Array(rows.length);
  const calScores: number[] = [];
  const calLabels: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    features[i] = JSON.parse(r.features) as Record<string, unknown>;
    predicted[i] = space.indexOfText(r.prediction);
    if (r.label !== null) label[i] = space.indexOfText(r.label);
    if (space.binary && r.score !== null && label[i]! >= 0 && flags[i] === undefined) {
      calScores.push(r.score);
      calLabels.push(label[i]!);
    }
  }
  const calibrator = calScores.length >= CALIBRATION_MIN_ROWS ? fitBinaryCalibrator(calScores, calLabels) : identityBinaryCalibrator();
  return { space, rows, features, label, predicted, flags, calibrator };
}

/** CBPE's expected correctness of one binary prediction with P(positive) = p. */
function expectedCorrect(cal: BinaryCbpeCalibrator, p: number, predicted: number): number {
  const c = calibrateBinary(cal, p);
  return predicted === 1 ? c : 1 - c;
}

function costs(m: ModelRows, feature: string): { realised: ViolationCost | null; estimated: ViolationCost | null; violating: number } {
  const rl: number[] = []; const rc: number[] = []; const el: number[] = []; const ec: number[] = [];
  let labelled = 0; let unlabelled = 0; let violating = 0;
  for (let i = 0; i < m.rows.length; i++) {
    const flagged = m.flags[i];
    const has = flagged?.has(feature) ?? false;
    if (has) violating++;
    if (m.label[i]! >= 0) {
      labelled++;
      const v = m.predicted[i] === m.label[i] ? 1 : 0;
      if (has) rl.push(v); else if (flagged === undefined) rc.push(v);
    } else if (m.space.binary && m.rows[i]!.score !== null) {
      unlabelled++;
      const v = expectedCorrect(m.calibrator, m.rows[i]!.score!, m.predicted[i]!);
      if (has) el.push(v); else if (flagged === undefined) ec.push(v);
    }
  }
  return {
    realised: labelled > 0 ? violationCost(rl, rc, labelled) : null,
    estimated: unlabelled > 0 ? violationCost(el, ec, unlabelled) : null,
    violating,
  };
}

// ---- re-scoring with reference draws ---------------------------------------

interface Rescored {
  /** P(positive) (binary) of each row as it is, and of each draw (draws × rows, draw-major) */
  pNow: Float64Array;
  pDrawn: Float64Array;
  /** predicted class index as it is, and per draw */
  cNow: Int32Array;
  cDrawn: Int32Array;
  draws: number;
}

function rescore(predictor: Predictor, space: ClassSpace, rows: readonly Record<string, unknown>[], repair: readonly string[],
  samplers: Map<string, (rng: Rng) => unknown>, draws: number, rng: Rng): Rescored {
  const toIndex = (c: unknown): number => space.indexOfText(JSON.stringify(c));
  const posOf = (score: number | Record<string, number>): number => (typeof score === 'number' ? score : NaN);
  const now = predictor.predict(rows);
  const pNow = Float64Array.from(now.score as Array<number | Record<string, number>>, posOf);
  const cNow = Int32Array.from(now.prediction, toIndex);
  const n = rows.length;
  const pDrawn = new Float64Array(n * draws);
  const cDrawn = new Int32Array(n * draws);
  for (let k = 0; k < draws; k++) {
    const copies = rows.map((r) => {
      const c = { ...r };
      for (const f of repair) {
        const s = samplers.get(f);
        if (s) c[f] = s(rng);
      }
      return c;
    });
    const out = predictor.predict(copies);
    for (let i = 0; i < n; i++) {
      pDrawn[k * n + i] = posOf(out.score[i] as number | Record<string, number>);
      cDrawn[k * n + i] = toIndex(out.prediction[i]);
    }
  }
  return { pNow, pDrawn, cNow, cDrawn, draws };
}

function gains(m: ModelRows, idx: readonly number[], r: Rescored): { realised: CleaningGain | null; estimated: CleaningGain | null } {
  const n = idx.length;
  const rNow: number[] = []; const rClean: number[] = []; const eNow: number[] = []; const eClean: number[] = [];
  let labelled = 0; let unlabelled = 0;
  for (let i = 0; i < m.rows.length; i++) {
    if (m.label[i]! >= 0) labelled++;
    else if (m.space.binary) unlabelled++;
  }
  for (let j = 0; j < n; j++) {
    const i = idx[j]!;
    const y = m.label[i]!;
    if (y >= 0) {
      rNow.push(r.cNow[j] === y ? 1 : 0);
      let s = 0;
      for (let k = 0; k < r.draws; k++) s += r.cDrawn[k * n + j] === y ? 1 : 0;
      rClean.push(s / r.draws);
    } else if (m.space.binary) {
      eNow.push(expectedCorrect(m.calibrator, r.pNow[j]!, r.cNow[j]!));
      let s = 0;
      for (let k = 0; k < r.draws; k++) s += expectedCorrect(m.calibrator, r.pDrawn[k * n + j]!, r.cDrawn[k * n + j]!);
      eClean.push(s / r.draws);
    }
  }
  return {
    realised: rNow.length > 0 ? cleaningGain(rNow, rClean, labelled) : null,
    estimated: eNow.length > 0 ? cleaningGain(eNow, eClean, unlabelled) : null,
  };
}

function samplersOf(artifact: ModelArtifact, features: readonly string[]): Map<string, (rng: Rng) => unknown> {
  const out = new Map<string, (rng: Rng) => unknown>();
  for (const f of features) {
    const s = referenceSampler(artifact.profile.columns[f]);
    if (s) out.set(f, s);
  }
  return out;
}

// ---- the report -------------------------------------------------------------

function modelInfo(db: Db, ref: string | null | undefined): { info: ModelInfo; ref: string } {
  const r = modelReference(db, ref);
  return { info: r.model, ref: r.ref };
}

export async function qualityReport(db: Db, config: Config, opts: QualityOptions = {}): Promise<QualityReport> {
  const resolved = checkQuality(db, config);
  if (!resolved) throw new Error('no quality rules: run `mlops-tui quality rules --from MODEL@V`, or register an active model');
  const { info, ref } = modelInfo(db, opts.model);
  const artifact = loadArtifact(db, info.id);
  const m = readModelRows(db, info, artifact.classes, opts);
  const ruleNames = Object.keys(resolved.rules);
  const importance = artifact.importance?.values ?? null;
  const draws = opts.draws ?? DEFAULT_DRAWS;
  const samplers = samplersOf(artifact, ruleNames);
  const windows = qualityWindows(db, info.name, info.version, opts.windows ?? 30);
  let labelled = 0; let correct = 0; let estSum = 0; let estN = 0;
  for (let i = 0; i < m.rows.length; i++) {
    if (m.label[i]! >= 0) { labelled++; if (m.label[i] === m.predicted[i]) correct++; }
    else if (m.space.binary && m.rows[i]!.score !== null) { estN++; estSum += expectedCorrect(m.calibrator, m.rows[i]!.score!, m.predicted[i]!); }
  }
  const predictor = await loadPredictor(artifact);
  const features: FeatureQuality[] = [];
  try {
    const rng = mulberry32(opts.seed ?? 7);
    for (const feature of ruleNames) {
      // a turn of the event loop between features: the engine runs this beside its other work
      await new Promise((r) => setImmediate(r));
      const rule = resolved.rules[feature]!;
      const c = costs(m, feature);
      const idx: number[] = [];
      for (let i = 0; i < m.rows.length; i++) if (m.flags[i]?.has(feature)) idx.push(i);
      let g: { realised: CleaningGain | null; estimated: CleaningGain | null } = { realised: null, estimated: null };
      if (idx.length > 0 && samplers.has(feature) && artifact.features.includes(feature)) {
        g = gains(m, idx, rescore(predictor, m.space, idx.map((i) => m.features[i]!), [feature], samplers, draws, rng));
      }
      const own = windows.filter((w) => w.feature === feature);
      const points: WindowPoint[] = own.map((w) => ({
        start: w.windowStart, rows: w.rows, flagged: w.flagged, missing: w.missing, share: w.rows ? w.flagged / w.rows : 0,
        breaches: windowBreaches(rule, w),
      }));
      const totals = own.reduce((a, w) => ({ type: a.type + w.type, range: a.range + w.range, category: a.category + w.category, missing: a.missing + w.missing }),
        { type: 0, range: 0, category: 0, missing: 0 });
      const basis = g.realised?.gain != null ? 'labels' : g.estimated?.gain != null ? 'cbpe' : null;
      const best = basis === 'labels' ? g.realised : basis === 'cbpe' ? g.estimated : null;
      features.push({
        feature, rule,
        violations: { rows: c.violating, share: m.rows.length ? c.violating / m.rows.length : 0, ...totals, windowsBreached: points.filter((p) => p.breaches.length > 0).length },
        windows: points,
        cost: { metric: 'accuracy', realised: c.realised, estimated: c.estimated },
        gain: { metric: 'accuracy', realised: g.realised, estimated: g.estimated, value: best?.gain ?? null, ci: best?.ci ?? null, basis },
        importance: importance ? (importance[feature] ?? 0) : null,
      });
    }
  } finally {
    predictor.dispose();
  }
  // Rank by the gain of cleaning; features without one (no violations, no model input) by importance × share.
  const ranked = rankByImportance(features, (f) => f.feature, (f) => f.violations.share, importance)
    .sort((a, b) => (b.item.gain.value ?? -Infinity) - (a.item.gain.value ?? -Infinity) || b.weighted - a.weighted)
    .map((r) => r.item);

  const drift = rankDrift(db, ref, importance);
  const others = listModels(db).filter((x) => x.id !== info.id && x.alias !== 'retired' && x.alias !== null);
  const models = [];
  for (const o of others) {
    const meta = modelReference(db, refOf(o)).meta;
    const om = readModelRows(db, o, meta.classes, opts);
    if (om.rows.length === 0) continue;
    models.push({
      model: refOf(o), rows: om.rows.length, labelled: om.label.filter((y) => y >= 0).length,
      features: ruleNames.map((feature) => { const c = costs(om, feature); return { feature, violations: c.violating, cost: c.realised ?? c.estimated }; }),
    });
  }
  return {
    model: ref, rules: { source: resolved.source, features: ruleNames.length }, rows: m.rows.length, labelled,
    accuracy: labelled ? correct / labelled : null, estimatedAccuracy: estN ? estSum / estN : null,
    features: ranked, drift, models,
  };
}

/** The latest closed drift window of the model, its feature rows ranked by importance × effect. */
export function rankDrift(db: Db, ref: string, importance: Readonly<Record<string, number>> | null): QualityReport['drift'] {
  const last = driftWindows(db, ref, 1)[0];
  if (!last) return { window: null, features: [] };
  const results = (JSON.parse(last.results) as ColumnDriftResult[]).filter((r) => (r.kind as string) !== 'score');
  return { window: last.windowStart, features: rankDriftResults(results, importance) };
}

export function rankDriftResults(results: readonly ColumnDriftResult[], importance: Readonly<Record<string, number>> | null): DriftRank[] {
  return rankByImportance(results, (r) => r.feature, (r) => r.psi, importance).map((r) => ({
    feature: r.item.feature, method: r.item.method, statistic: r.item.statistic, effect: r.item.psi, level: r.item.level,
    importance: r.importance, weighted: r.weighted,
  }));
}

// ---- rows to clean first ----------------------------------------------------

export interface ExportOptions extends QualityOptions {
  /** one feature, or every flagged feature of each row when omitted */
  feature?: string | null;
  top: number;
}

export interface ExportRow {
  rank: number;
  predictionId: number;
  requestId: string;
  ts: number;
  model: string;
  flagged: string[];
  /** ActiveClean priority: expected drop of the row's log loss when cleaned (labelled), or how far its score moves */
  priority: number;
  labelled: boolean;
  features: Record<string, unknown>;
  label: unknown;
}

export async function exportRows(db: Db, config: Config, opts: ExportOptions): Promise<ExportRow[]> {
  const resolved = checkQuality(db, config);
  if (!resolved) throw new Error('no quality rules: run `mlops-tui quality rules --from MODEL@V`, or register an active model');
  if (opts.feature && !(opts.feature in resolved.rules)) throw new Error(`no quality rule for feature "${opts.feature}" (rules: ${Object.keys(resolved.rules).join(', ')})`);
  const { info, ref } = modelInfo(db, opts.model);
  const artifact = loadArtifact(db, info.id);
  if (artifact.task !== 'binary') throw new Error(`${ref} is a multiclass model: row priorities are computed for binary models only`);
  const m = readModelRows(db, info, artifact.classes, opts);
  const idx: number[] = [];
  for (let i = 0; i < m.rows.length; i++) {
    const f = m.flags[i];
    if (f && (opts.feature ? f.has(opts.feature) : true)) idx.push(i);
  }
  if (idx.length === 0) return [];
  const samplers = samplersOf(artifact, Object.keys(resolved.rules));
  const predictor = await loadPredictor(artifact);
  const priority = new Float64Array(idx.length);
  try {
    const rng = mulberry32(opts.seed ?? 7);
    const draws = opts.draws ?? DEFAULT_DRAWS;
    // Group rows by the set of features to repair, so each group is re-scored in one pass.
    const groups = new Map<string, number[]>();
    idx.forEach((i, j) => {
      const repair = opts.feature ? [opts.feature] : [...m.flags[i]!].sort();
      const key = repair.join('\u0000');
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(j);
    });
    for (const [key, js] of groups) {
      const repair = key.split('\u0000').filter((f) => samplers.has(f));
      const r = rescore(predictor, m.space, js.map((j) => m.features[idx[j]!]!), repair, samplers, draws, rng);
      const n = js.length;
      js.forEach((j, t) => {
        const y = m.label[idx[j]!]!;
        const drawn = Float64Array.from({ length: draws }, (_, k) => r.pDrawn[k * n + t]!);
        priority[j] = rowPriority(r.pNow[t]!, drawn, y >= 0 ? (y as 0 | 1) : null);
      });
    }
  } finally {
    predictor.dispose();
  }
  return rankRows(priority).slice(0, opts.top).map((j, rank) => {
    const i = idx[j]!;
    const row = m.rows[i]!;
    return {
      rank: rank + 1, predictionId: row.id, requestId: row.requestId, ts: row.ts, model: ref, flagged: [...m.flags[i]!].sort(),
      priority: priority[j]!, labelled: m.label[i]! >= 0, features: m.features[i]!, label: row.label === null ? null : JSON.parse(row.label),
    };
  });
}

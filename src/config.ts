/**
 * mlops.config.json: optional, validated at start. An unknown or mistyped key
 * is an error that names the key (a typo in a threshold must not silently fall
 * back to the default). Command-line flags override the file.
 */
import { driftMethodList, parseDriftMethod, type DriftMethod } from './drift/methods.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { GATE_BOUNDS, type GateBound } from './compare/gate.js';
import { parseDuration } from './core/time.js';
import { DEFAULT_MISSING_VALUES } from './core/values.js';
import { validateRules, type QualityRules } from './quality/rules.js';

export type FeatureKind = 'numeric' | 'categorical';

export interface Config {
  watch: string;
  db: string;
  /**
   * notBefore / maxAhead: the sane range of event times (src/core/timeRange.ts); a line outside
   * it is quarantined. rotationGrace: how long a file renamed away keeps being drained after its
   * last growth. maxFeatureNames: distinct feature names the schema may hold.
   */
  ingest: { maxLineBytes: number; pollMs: number; notBefore: string; maxAhead: string; rotationGrace: string; maxFeatureNames: number };
  /** Pinned feature types; the rest are inferred from the first rows. */
  features: Record<string, FeatureKind>;
  /** Strings read as missing values (trimmed, case as written); '' always is. Replaces the default list. */
  missingValues: string[];
  drift: {
    /** Tumbling window of event time, e.g. "1d" or "6h". */
    window: string;
    datasetShare: number;
    /** Per-feature overrides: method and threshold. */
    perFeature: Record<string, { method?: DriftMethod; threshold?: number }>;
    /** Calendar features compared against the same period of the reference. */
    calendar: string[];
  };
  /**
   * bound: the gate's concentration bound (src/compare/gate.ts). 'hoeffding' is ease.ml/ci's;
   * 'bernstein' (empirical Bernstein) uses the variance of the per-row difference, small when
   * the models disagree on few rows, so it decides `n - o` conditions on far fewer rows.
   * Optional in the type so callers built before it existed stay valid; absent = 'hoeffding'.
   */
  gate: { condition: string; reliability: number; evaluations: number; heldOutShare: number; bound?: GateBound };
  /** rows: labelled predictions a retrain learns from when no time range is given (the latest ones). */
  retrain: { onDatasetDriftWindows: number; onDetector: boolean; scheduleHours: number; cooldownMinutes: number; maxPerDay: number; autoPromote: boolean; rows: number };
  on_switch: string | null;
  /**
   * rawDays: raw prediction and label rows older than this many days of event time (before
   * the newest stored row) are deleted; aggregates, drift history, alerts, audit and the
   * registry stay. 0 keeps every row.
   */
  retention: { rawDays: number };
  /** Per feature: dropped, or replaced by a keyed hash, before anything is stored or quarantined. */
  redact: Record<string, RedactAction>;
  /** The key of the redaction hash; default `redact.key` next to the database (never inside it). */
  redactKeyFile: string | null;
  /**
   * Data-quality rules per feature (src/quality/rules.ts), written by `mlops-tui quality rules
   * --from MODEL@V` and edited here; `reference` records where they were inferred from. Without
   * rules, the active model's training profile stands in. Optional in the type so configs built
   * before it existed stay valid.
   */
  quality?: { rules?: QualityRules; reference?: string };
  /**
   * Alert episodes (src/alerts/episodes.ts): resolve after this many settled windows without the
   * condition; a feature's drift pages after this many consecutive windows. Page alerts are sent
   * to a command (event JSON on stdin) and/or a webhook (POST), retried with backoff, then kept
   * as a dead letter; at most perMinute deliveries start per minute.
   */
  /**
   * Label-free model choice (src/compare/autoChoose.ts): with `auto` (off by default) the active
   * model is switched to a shadow whose estimate leads by `margin` with confidence for `windows`
   * complete windows, audited as operator `policy`, and switched back when the labels since
   * contradict it at `alpha`. With `requireDrift` (on by default) it switches only while a data
   * drift page (dataset or a feature's sustained drift) is open: see autoChoose.ts for why.
   */
  choose: { auto: boolean; margin: number; windows: number; alpha: number; requireDrift: boolean };
  alerts: {
    resolveAfterWindows: number;
    featureWindows: number;
    notify: { command: string | null; webhook: string | null; retries: number; backoffMs: number; timeoutMs: number; perMinute: number };
  };
}

export type RedactAction = 'hash' | 'drop';

export const DEFAULT_CONFIG: Config = {
  watch: './predictions',
  db: './.mlops/mlops.db',
  ingest: { maxLineBytes: 1024 * 1024, pollMs: 1000, notBefore: '1970-01-01', maxAhead: '1d', rotationGrace: '5s', maxFeatureNames: 1000 },
  features: {},
  missingValues: [...DEFAULT_MISSING_VALUES],
  drift: { window: '1d', datasetShare: 0.5, perFeature: {}, calendar: [] },
  gate: { condition: 'n - o > 0.01 +/- 0.01', reliability: 0.999, evaluations: 8, heldOutShare: 0.3, bound: 'hoeffding' },
  retrain: { onDatasetDriftWindows: 0, onDetector: false, scheduleHours: 0, cooldownMinutes: 60, maxPerDay: 4, autoPromote: false, rows: 50000 },
  on_switch: null,
  retention: { rawDays: 0 },
  redact: {},
  redactKeyFile: null,
  choose: { auto: false, margin: 0.01, windows: 2, alpha: 0.05, requireDrift: true },
  alerts: {
    resolveAfterWindows: 1,
    featureWindows: 2,
    notify: { command: null, webhook: null, retries: 5, backoffMs: 2000, timeoutMs: 5000, perMinute: 30 },
  },
};

export class ConfigError extends Error {}

type Shape = 'string' | 'number' | 'boolean' | 'kind-map' | 'redact-map' | 'string[]' | 'string|null' | 'per-feature' | 'quality-rules' | { [k: string]: Shape };

const SHAPE: Shape = {
  watch: 'string',
  db: 'string',
  ingest: { maxLineBytes: 'number', pollMs: 'number', notBefore: 'string', maxAhead: 'string', rotationGrace: 'string', maxFeatureNames: 'number' },
  features: 'kind-map',
  missingValues: 'string[]',
  drift: { window: 'string', datasetShare: 'number', perFeature: 'per-feature', calendar: 'string[]' },
  gate: { condition: 'string', reliability: 'number', evaluations: 'number', heldOutShare: 'number', bound: 'string' },
  retrain: { onDatasetDriftWindows: 'number', onDetector: 'boolean', scheduleHours: 'number', cooldownMinutes: 'number', maxPerDay: 'number', autoPromote: 'boolean', rows: 'number' },
  on_switch: 'string|null',
  retention: { rawDays: 'number' },
  redact: 'redact-map',
  redactKeyFile: 'string|null',
  quality: { rules: 'quality-rules', reference: 'string' },
  choose: { auto: 'boolean', margin: 'number', windows: 'number', alpha: 'number', requireDrift: 'boolean' },
  alerts: {
    resolveAfterWindows: 'number', featureWindows: 'number',
    notify: { command: 'string|null', webhook: 'string|null', retries: 'number', backoffMs: 'number', timeoutMs: 'number', perMinute: 'number' },
  },
};

function check(value: unknown, shape: Shape, key: string): void {
  const fail = (want: string): never => { throw new ConfigError(`config key "${key}" must be ${want}`); };
  if (typeof shape === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('an object');
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (!(k in shape)) throw new ConfigError(`unknown config key "${key ? `${key}.` : ''}${k}"`);
      check(v, shape[k], key ? `${key}.${k}` : k);
    }
    return;
  }
  switch (shape) {
    case 'string': if (typeof value !== 'string' || value === '') fail('a non-empty string'); break;
    case 'number': if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail('a non-negative number'); break;
    case 'boolean': if (typeof value !== 'boolean') fail('true or false'); break;
    case 'string|null': if (value !== null && typeof value !== 'string') fail('a string or null'); break;
    case 'string[]': if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) fail('an array of strings'); break;
    case 'kind-map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('an object of feature name to "numeric" or "categorical"');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== 'numeric' && v !== 'categorical') throw new ConfigError(`config key "${key}.${k}" must be "numeric" or "categorical"`);
      }
      break;
    case 'redact-map':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('an object of feature name to "hash" or "drop"');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== 'hash' && v !== 'drop') throw new ConfigError(`config key "${key}.${k}" must be "hash" or "drop"`);
      }
      break;
    case 'per-feature':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('an object of feature name to { method, threshold }');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) check(v, { method: 'string', threshold: 'number' }, `${key}.${k}`);
      break;
    case 'quality-rules':
      validateRules(value, key);
      break;
  }
}

function merge<T>(base: T, over: unknown): T {
  if (over === null || typeof over !== 'object' || Array.isArray(over) || base === null || typeof base !== 'object' || Array.isArray(base)) {
    return (over === undefined ? base : over) as T;
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = merge((base as Record<string, unknown>)[k], v);
  return out as T;
}

export function parseConfig(text: string, source = 'mlops.config.json'): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    check(raw, SHAPE, '');
  } catch (err) {
    throw new ConfigError(`${source}: ${(err as Error).message}`);
  }
  const cfg = merge(DEFAULT_CONFIG, raw);
  for (const key of ['maxAhead', 'rotationGrace'] as const) {
    try { parseDuration(cfg.ingest[key]); } catch (err) { throw new ConfigError(`${source}: config key "ingest.${key}": ${(err as Error).message}`); }
  }
  // Per-feature methods: one name the engine knows (chi2 is scipy's name for chisquare), never a
  // string that makes the live engine throw later.
  for (const [feature, o] of Object.entries(cfg.drift.perFeature)) {
    if (o.method === undefined) continue;
    const method = parseDriftMethod(o.method);
    if (method === null) throw new ConfigError(`${source}: config drift.perFeature.${feature}.method "${o.method}" is not one of ${driftMethodList()}`);
    o.method = method;
  }
  checkRanges(cfg, source);
  // the rule checker wants every default filled in (maxMissingShare 1 when absent)
  if (cfg.quality?.rules) cfg.quality.rules = validateRules(cfg.quality.rules, 'quality.rules');
  return cfg;
}

/*
 * Values that type-check but cannot work: `pollMs: 0` spins a core while idle,
 * `maxLineBytes: 0` quarantines every line, `heldOutShare: 2` and `drift.window: "banana"`
 * loaded and failed later or never. Each bound is the smallest or largest value that still
 * does what the key says.
 */
interface Range { min?: number; max?: number; above?: number; below?: number; integer?: boolean }

const RANGES: Array<[string, (c: Config) => number | undefined, Range]> = [
  ['ingest.pollMs', (c) => c.ingest.pollMs, { min: 10, max: 3_600_000 }],
  ['ingest.maxLineBytes', (c) => c.ingest.maxLineBytes, { min: 256, max: 256 * 1024 * 1024, integer: true }],
  ['ingest.maxFeatureNames', (c) => c.ingest.maxFeatureNames, { min: 1, integer: true }],
  ['drift.datasetShare', (c) => c.drift.datasetShare, { above: 0, max: 1 }],
  ['gate.reliability', (c) => c.gate.reliability, { above: 0, below: 1 }],
  ['gate.evaluations', (c) => c.gate.evaluations, { min: 1, integer: true }],
  ['gate.heldOutShare', (c) => c.gate.heldOutShare, { above: 0, below: 1 }],
  ['retrain.rows', (c) => c.retrain.rows, { min: 10, integer: true }],
  ['retrain.maxPerDay', (c) => c.retrain.maxPerDay, { integer: true }],
  ['retrain.onDatasetDriftWindows', (c) => c.retrain.onDatasetDriftWindows, { integer: true }],
  ['retention.rawDays', (c) => c.retention.rawDays, { max: 36_500 }],
];

function describe(r: Range): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(`at least ${r.min}`);
  if (r.above !== undefined) parts.push(`above ${r.above}`);
  if (r.max !== undefined) parts.push(`at most ${r.max}`);
  if (r.below !== undefined) parts.push(`below ${r.below}`);
  const bounds = parts.join(' and ');
  return `${r.integer ? 'a whole number' : 'a number'}${bounds === '' ? '' : bounds.startsWith('at ') ? ` of ${bounds}` : ` ${bounds}`}`;
}

function checkRanges(cfg: Config, source: string): void {
  for (const [key, get, r] of RANGES) {
    const v = get(cfg);
    if (v === undefined) continue;
    const bad = (r.integer && !Number.isInteger(v)) || (r.min !== undefined && v < r.min) || (r.max !== undefined && v > r.max)
      || (r.above !== undefined && v <= r.above) || (r.below !== undefined && v >= r.below);
    if (bad) throw new ConfigError(`${source}: config key "${key}" must be ${describe(r)}, not ${v}`);
  }
  let windowMs = NaN;
  try { windowMs = parseDuration(cfg.drift.window); } catch { /* reported below */ }
  if (!(windowMs >= 60_000)) throw new ConfigError(`${source}: config key "drift.window" must be a duration of at least a minute such as 6h, 1d or 7d, not "${cfg.drift.window}"`);
  // a typo such as "bernstien" must not silently fall back to Hoeffding
  if (!Number.isInteger(cfg.choose.windows) || cfg.choose.windows < 1) throw new ConfigError(`${source}: config key "choose.windows" must be a whole number of windows, at least 1`);
  if (!(cfg.choose.alpha > 0 && cfg.choose.alpha < 1)) throw new ConfigError(`${source}: config key "choose.alpha" must be between 0 and 1`);
  if (!(cfg.choose.margin < 1)) throw new ConfigError(`${source}: config key "choose.margin" must be below 1 (a share of accuracy)`);
  for (const k of ['resolveAfterWindows', 'featureWindows'] as const) {
    if (!Number.isInteger(cfg.alerts[k]) || cfg.alerts[k] < 1) throw new ConfigError(`${source}: config key "alerts.${k}" must be a whole number of windows, at least 1`);
  }
  if (!Number.isInteger(cfg.alerts.notify.retries)) throw new ConfigError(`${source}: config key "alerts.notify.retries" must be a whole number`);
  if (!(cfg.alerts.notify.perMinute >= 1)) throw new ConfigError(`${source}: config key "alerts.notify.perMinute" must be at least 1`);
  if (!(cfg.alerts.notify.timeoutMs >= 1)) throw new ConfigError(`${source}: config key "alerts.notify.timeoutMs" must be at least 1`);
  if (cfg.alerts.notify.webhook !== null && !/^https?:\/\//.test(cfg.alerts.notify.webhook)) throw new ConfigError(`${source}: config key "alerts.notify.webhook" must be an http:// or https:// URL`);
  if (cfg.gate.bound !== undefined && !GATE_BOUNDS.includes(cfg.gate.bound)) throw new ConfigError(`${source}: config key "gate.bound" must be "hoeffding" or "bernstein"`);
}

/** Loads `path`, or ./mlops.config.json when it exists, or the defaults. */
export function loadConfig(path?: string): Config {
  const p = path ?? 'mlops.config.json';
  if (!existsSync(p)) {
    if (path !== undefined) throw new ConfigError(`config file ${path} does not exist`);
    return structuredClone(DEFAULT_CONFIG);
  }
  if (statSync(p).isDirectory()) throw new ConfigError(`config file ${p} is a directory; pass the JSON file, e.g. --config ${p.replace(/\/+$/, '')}/mlops.config.json`);
  let text: string;
  try {
    text = readFileSync(resolve(p), 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${p} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfig(text, p);
}

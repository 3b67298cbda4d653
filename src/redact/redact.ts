/**
 * Lawful data handling: `"redact": {"email": "hash", "ssn": "drop"}` in the config. Before a
 * prediction row or a quarantined line is stored, a dropped feature is removed and a hashed one
 * is replaced by a keyed hash (HMAC-SHA256, the key in a file outside the database, 0600), so
 * the raw value never reaches the database, its WAL, a backup or a screen.
 *
 * A hashed value is a stable category ("h:" and 22 base64url characters): the same input gives
 * the same token, so drift still compares the distribution of a hashed categorical; the
 * model's reference profile is hashed with the same key for that comparison. Without the key
 * the tokens cannot be tested against guesses (a plain hash of an e-mail address can).
 *
 * Quarantined lines are often not JSON, or cut at the sample size; their text is scanned for
 * every `"name":` and the value after it (string, number, object or array, complete or cut
 * off at the end) is replaced. The same is done to the reason, because JSON.parse's message
 * quotes the line.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, existsSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openPrivate } from '../../store/privateFiles.js';
import type { RedactAction } from '../config.js';
import type { FeatureValue, PredictionRecord } from '../../store/records.js';
import type { QuarantinedLine } from '../../store/ingestStore.js';
import type { ColumnProfile, DatasetProfile, FeatureSchema } from '../drift/profile.js';

import { HASH_TOKEN_PREFIX } from '../../store/records.js';

export const HASH_PREFIX = HASH_TOKEN_PREFIX;
export const DROPPED = '[dropped]';
/**
 * A value that is already a token is kept: lines `serve` or `ship` redacted are ingested again,
 * and hashing twice would give a second token for the same value.
 */
const TOKEN = new RegExp(`^${HASH_TOKEN_PREFIX}[A-Za-z0-9_-]{22}$`);
const KEY_BYTES = 32;

export class RedactError extends Error {}

/** The rows of a batch redaction touches; other fields pass through. */
export interface RedactableBatch {
  predictions: PredictionRecord[];
  quarantined: QuarantinedLine[];
}

export interface RedactableReference {
  schema: FeatureSchema;
  profile: DatasetProfile;
  periods?: { features: Record<string, DatasetProfile> };
}

export class Redactor {
  private readonly names: string[];

  constructor(private readonly rules: Readonly<Record<string, RedactAction>>, private readonly key: Buffer) {
    this.names = Object.keys(rules);
  }

  /** The rules and key as plain data: a worker thread builds the same redactor from them. */
  get data(): { rules: Readonly<Record<string, RedactAction>>; key: Uint8Array } {
    return { rules: this.rules, key: this.key };
  }

  /** The token that stands for `v` (a hashed feature's stored value). */
  hash(v: unknown): string {
    if (typeof v === 'string' && TOKEN.test(v)) return v;
    const text = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return HASH_PREFIX + createHmac('sha256', this.key).update(text).digest('base64url').slice(0, 22);
  }

  /** A copy of `f` with dropped features removed and hashed ones replaced (null stays null: missingness is not personal). */
  features<V = FeatureValue>(f: Record<string, V>): Record<string, V | string> {
    let out: Record<string, V | string> | null = null;
    for (const name of this.names) {
      if (!Object.hasOwn(f, name)) continue;
      out ??= { ...f };
      if (this.rules[name] === 'drop') delete out[name];
      else if (out[name] !== null) out[name] = this.hash(out[name]);
    }
    return out ?? f;
  }

  /** Every `"name": value` of a redacted feature in free text, replaced (see the note at the top). */
  text(s: string): string {
    let out = s;
    for (const name of this.names) out = this.scrub(out, name);
    return out;
  }

  /** The batch as it may be stored. */
  batch<B extends RedactableBatch>(b: B): B {
    return {
      ...b,
      predictions: b.predictions.map((p) => {
        const features = this.features(p.features);
        return features === p.features ? p : { ...p, features };
      }),
      quarantined: b.quarantined.map((q) => ({ ...q, text: this.text(q.text), reason: this.text(q.reason) })),
    };
  }

  /**
   * The reference of a drift comparison as the live rows look after redaction: dropped
   * features leave the schema; a hashed categorical's reference counts are keyed by the
   * tokens; a hashed numeric is compared as a categorical when its reference kept exact
   * value counts, else it leaves the comparison (its raw distribution cannot be matched).
   */
  reference<R extends RedactableReference>(ref: R): R {
    const schema: FeatureSchema = { ...ref.schema };
    const redactProfile = (p: DatasetProfile): DatasetProfile => {
      const columns: Record<string, ColumnProfile> = { ...p.columns };
      for (const name of this.names) {
        const col = columns[name];
        if (col === undefined) continue;
        const hashed = this.rules[name] === 'hash' ? this.hashColumn(col) : null;
        if (hashed === null) delete columns[name];
        else columns[name] = hashed;
      }
      return { ...p, columns };
    };
    const profile = redactProfile(ref.profile);
    for (const name of this.names) {
      if (!(name in schema)) continue;
      if (profile.columns[name] === undefined) delete schema[name];
      else schema[name] = 'categorical';
    }
    const out = { ...ref, schema, profile };
    if (ref.periods) {
      const features: Record<string, DatasetProfile> = {};
      for (const [k, p] of Object.entries(ref.periods.features)) features[k] = redactProfile(p);
      out.periods = { ...ref.periods, features };
    }
    return out;
  }

  private hashColumn(col: ColumnProfile): ColumnProfile | null {
    const counts = col.kind === 'categorical' ? col.counts : col.valueCounts;
    if (counts === undefined) return null;
    const hashed: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [k, n] of Object.entries(counts)) {
      const t = this.hash(k);
      hashed[t] = (hashed[t] ?? 0) + n;
    }
    return { kind: 'categorical', count: col.count, missing: col.missing, counts: hashed };
  }

  private scrub(s: string, name: string): string {
    const needle = JSON.stringify(name);
    let out = '';
    let i = 0;
    for (;;) {
      const at = s.indexOf(needle, i);
      if (at < 0) break;
      let j = at + needle.length;
      while (j < s.length && /\s/.test(s[j])) j++;
      if (s[j] !== ':') {
        out += s.slice(i, j);
        i = j;
        continue;
      }
      j++;
      while (j < s.length && /\s/.test(s[j])) j++;
      const end = valueEnd(s, j);
      const raw = s.slice(j, end);
      let replacement: string;
      if (this.rules[name] === 'drop') replacement = JSON.stringify(DROPPED);
      else if (raw === 'null') replacement = raw;
      else {
        let v: string = raw;
        try { const parsed = JSON.parse(raw) as unknown; if (typeof parsed === 'string') v = parsed; } catch { /* cut off or not JSON: hash the text as it is */ }
        replacement = JSON.stringify(this.hash(v));
      }
      out += s.slice(i, j) + replacement;
      i = end;
    }
    return out + s.slice(i);
  }
}

/** Where the JSON-ish value starting at `j` ends (the end of `s` when it is cut off). */
function valueEnd(s: string, j: number): number {
  const c = s[j];
  if (c === '"') {
    for (let k = j + 1; k < s.length; k++) {
      if (s[k] === '\\') k++;
      else if (s[k] === '"') return k + 1;
    }
    return s.length;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let k = j; k < s.length; k++) {
      const ch = s[k];
      if (ch === '"') {
        k++;
        while (k < s.length && s[k] !== '"') { if (s[k] === '\\') k++; k++; }
      } else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) return k + 1;
      }
    }
    return s.length;
  }
  let k = j;
  while (k < s.length && !/[,}\]\s"]/.test(s[k])) k++;
  return k;
}

/** The key file: `redactKeyFile`, else `redact.key` beside the database (never inside it). */
export function redactKeyPath(cfg: { db: string; redactKeyFile: string | null }): string | null {
  if (cfg.redactKeyFile !== null) return cfg.redactKeyFile;
  if (cfg.db === ':memory:' || cfg.db === '') return null;
  return join(dirname(resolve(cfg.db)), 'redact.key');
}

/**
 * The redactor for a config (null when nothing is redacted). The key is read from its file,
 * or made (32 random bytes, mode 0600) the first time; a key that changes would split every
 * hashed category in two, so an unreadable or malformed key file is an error, never replaced.
 */
export function redactorFor(cfg: { db: string; redact: Record<string, RedactAction>; redactKeyFile: string | null }): Redactor | null {
  if (Object.keys(cfg.redact).length === 0) return null;
  const path = redactKeyPath(cfg);
  if (path === null) return new Redactor(cfg.redact, randomBytes(KEY_BYTES));
  if (!existsSync(path)) {
    try {
      const fd = openPrivate(path, 'wx');
      try { writeSync(fd, `${randomBytes(KEY_BYTES).toString('hex')}\n`); } finally { closeSync(fd); }
    } catch (err) {
      // another process made it first: read theirs
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new RedactError(`redaction key ${path} cannot be created: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new RedactError(`redaction key ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!/^[0-9a-f]{64}$/i.test(text)) throw new RedactError(`redaction key ${path} is not 64 hex characters; restore the original (a new key would change every hashed value)`);
  return new Redactor(cfg.redact, Buffer.from(text, 'hex'));
}

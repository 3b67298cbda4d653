/**
 * The model registry: versions per name, one `active` version serving, any
 * number of `shadow` versions scored alongside it, `retired` ones kept for the
 * record. Every switch happens in one IMMEDIATE transaction together with its
 * audit row, so two operators promoting at once leave exactly one switch and
 * a trail that matches the registry.
 */
import type { Db } from './db.js';
import { appendAudit, type AuditInput } from './audit.js';

export type Alias = 'active' | 'shadow' | 'retired';

export interface ModelInfo {
  id: number;
  name: string;
  version: number;
  type: string;
  task: string;
  alias: Alias | null;
  createdAt: number;
  metrics: Record<string, unknown>;
}

interface ModelRowDb {
  id: number; name: string; version: number; type: string; task: string; alias: Alias | null; created_at: number; metrics: string;
}

const toInfo = (r: ModelRowDb): ModelInfo => ({
  id: r.id, name: r.name, version: r.version, type: r.type, task: r.task, alias: r.alias, createdAt: r.created_at, metrics: JSON.parse(r.metrics) as Record<string, unknown>,
});

export class RegistryError extends Error {}

export function parseRef(ref: string): { name: string; version: number | null } {
  const m = /^(.+?)(?:@(\d+))?$/.exec(ref.trim());
  if (!m || m[1] === '') throw new RegistryError(`"${ref}" is not a model reference: use NAME or NAME@VERSION`);
  return { name: m[1], version: m[2] === undefined ? null : Number(m[2]) };
}

export const refOf = (m: { name: string; version: number }): string => `${m.name}@${m.version}`;

export function listModels(db: Db): ModelInfo[] {
  return (db.prepare('SELECT id, name, version, type, task, alias, created_at, metrics FROM models ORDER BY name, version').all() as ModelRowDb[]).map(toInfo);
}

export function activeModel(db: Db): ModelInfo | null {
  const r = db.prepare("SELECT id, name, version, type, task, alias, created_at, metrics FROM models WHERE alias = 'active'").get() as ModelRowDb | undefined;
  return r ? toInfo(r) : null;
}

export function findModel(db: Db, name: string, version: number | null): ModelInfo | null {
  const r = (version === null
    ? db.prepare('SELECT id, name, version, type, task, alias, created_at, metrics FROM models WHERE name = ? ORDER BY version DESC LIMIT 1').get(name)
    : db.prepare('SELECT id, name, version, type, task, alias, created_at, metrics FROM models WHERE name = ? AND version = ?').get(name, version)) as ModelRowDb | undefined;
  return r ? toInfo(r) : null;
}

export function loadArtifactBlobs(db: Db, id: number): { artifact: string; weights: Buffer } {
  const r = db.prepare('SELECT artifact, weights FROM models WHERE id = ?').get(id) as { artifact: string; weights: Buffer } | undefined;
  if (!r) throw new RegistryError(`no model with id ${id}`);
  return r;
}

/** Serving set, cheap enough to poll: replay re-reads it every few hundred ms. */
export function servingSet(db: Db): Array<{ id: number; name: string; version: number; alias: Alias }> {
  return db.prepare("SELECT id, name, version, alias FROM models WHERE alias IN ('active', 'shadow') ORDER BY alias, name, version").all() as Array<{ id: number; name: string; version: number; alias: Alias }>;
}

export interface RegisterInput {
  name: string;
  type: string;
  task: string;
  artifact: string;
  weights: Buffer;
  metrics: Record<string, unknown>;
  /** Default: active when nothing is active yet, else shadow. */
  alias?: Alias;
}

export function registerModel(db: Db, input: RegisterInput, audit: AuditInput): ModelInfo {
  const tx = db.transaction(() => {
    const max = db.prepare('SELECT max(version) FROM models WHERE name = ?').pluck().get(input.name) as number | null;
    const version = (max ?? 0) + 1;
    const hasActive = db.prepare("SELECT 1 FROM models WHERE alias = 'active'").get() !== undefined;
    const alias: Alias = input.alias ?? (hasActive ? 'shadow' : 'active');
    if (alias === 'active' && hasActive) db.prepare("UPDATE models SET alias = 'shadow' WHERE alias = 'active'").run();
    const info = db.prepare(`INSERT INTO models (name, version, type, task, alias, created_at, artifact, weights, metrics)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(input.name, version, input.type, input.task, alias, Date.now(), input.artifact, input.weights, JSON.stringify(input.metrics));
    appendAudit(db, { ...audit, action: 'register', subject: `${input.name}@${version}`, before: null, after: alias, details: JSON.stringify(input.metrics) });
    return toInfo(db.prepare('SELECT id, name, version, type, task, alias, created_at, metrics FROM models WHERE id = ?').get(info.lastInsertRowid) as ModelRowDb);
  });
  return tx.immediate();
}

export interface SwitchResult {
  changed: boolean;
  before: string | null;
  after: string;
  message: string;
}

/**
 * Makes `name@version` active; the previously active version becomes a shadow
 * (still scored, so the comparison and a rollback stay possible).
 */
export function promoteModel(db: Db, name: string, version: number, audit: AuditInput & { details?: string }, action = 'promote'): SwitchResult {
  const tx = db.transaction((): SwitchResult => {
    const target = findModel(db, name, version);
    if (!target) throw new RegistryError(`no model ${name}@${version} in the registry`);
    const before = activeModel(db);
    const after = refOf(target);
    if (before && before.id === target.id) return { changed: false, before: after, after, message: `${after} is already active` };
    if (before) db.prepare("UPDATE models SET alias = 'shadow' WHERE id = ?").run(before.id);
    db.prepare("UPDATE models SET alias = 'active' WHERE id = ?").run(target.id);
    const b = before ? refOf(before) : null;
    appendAudit(db, { ...audit, action, subject: after, before: b, after, details: audit.details ?? null });
    return { changed: true, before: b, after, message: `${after} is now active${b ? ` (was ${b})` : ''}` };
  });
  return tx.immediate();
}

/** The active version before the last switch of the active model (optionally of one name). */
export function previousActive(db: Db, name?: string): { name: string; version: number } | null {
  const rows = db.prepare("SELECT before, after FROM audit WHERE action IN ('promote', 'force-promote', 'rollback') AND before IS NOT NULL ORDER BY id DESC").all() as Array<{ before: string; after: string }>;
  const active = activeModel(db);
  for (const r of rows) {
    if (active && r.after !== refOf(active)) continue;
    const p = parseRef(r.before);
    if (name !== undefined && p.name !== name) continue;
    if (p.version === null) continue;
    return { name: p.name, version: p.version };
  }
  return null;
}

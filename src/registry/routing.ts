/**
 * routing.json mirrors the serving set for serving systems that do not read SQLite. It is
 * written to a temp file in the same directory, fsynced, and renamed over the old one, so a
 * reader sees either the old or the new file whole, never a torn one.
 */
import { isoTime } from '../core/time.js';
import { closeSync, fsyncSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Db } from '../../store/db.js';
import { servingSet } from '../../store/registry.js';
import { openPrivate } from '../../store/privateFiles.js';

export interface Routing {
  active: string | null;
  shadows: string[];
  updatedAt: string;
}

/** Next to the database file; null for an in-memory database. */
export function routingPath(dbPath: string): string | null {
  if (dbPath === ':memory:' || dbPath === '') return null;
  return join(dirname(resolve(dbPath)), 'routing.json');
}

export function currentRouting(db: Db, now = Date.now()): Routing {
  const set = servingSet(db);
  const active = set.find((m) => m.alias === 'active');
  return {
    active: active ? `${active.name}@${active.version}` : null,
    shadows: set.filter((m) => m.alias === 'shadow').map((m) => `${m.name}@${m.version}`),
    updatedAt: isoTime(now),
  };
}

export function writeRoutingFile(path: string, routing: Routing): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    // 0600: which model serves is the operator's business, not every local user's
    const fd = openPrivate(tmp, 'w');
    try {
      writeSync(fd, `${JSON.stringify(routing, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Writes the registry's current serving set to `path`; returns what was written. */
export function writeRouting(db: Db, path: string): Routing {
  const routing = currentRouting(db);
  writeRoutingFile(path, routing);
  return routing;
}

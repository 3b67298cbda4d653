/**
 * Opening the one SQLite file. WAL lets the console read while ingest writes;
 * busy_timeout makes a second process (a headless `promote`, a CI `status`)
 * wait for the writer instead of failing with SQLITE_BUSY.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  busyTimeoutMs?: number;
}

export class StoreError extends Error {}

export function openDb(path: string, opts: OpenOptions = {}): Db {
  if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new StoreError(`cannot open database ${path}: ${(err as Error).message}`);
  }
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode keeps every commit atomic and durable across a process
    // crash (the case the exactly-once guarantee is about); only an OS crash can
    // lose the last commits, and then offsets roll back with their rows.
    db.pragma('synchronous = NORMAL');
    migrate(db);
  } else {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new StoreError(`database ${path} was written by a newer mlops-tui (schema ${version})`);
  }
  db.pragma('foreign_keys = ON');
  return db;
}

export function migrate(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new StoreError(`database schema ${current} is newer than this mlops-tui understands (${MIGRATIONS.length})`);
  }
  if (current === MIGRATIONS.length) return current;
  // IMMEDIATE: two processes opening a fresh file must not both migrate.
  const run = db.transaction(() => {
    const now = db.pragma('user_version', { simple: true }) as number;
    for (let v = now; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    }
  });
  run.immediate();
  return MIGRATIONS.length;
}

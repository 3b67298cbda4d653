/**
 * Opening the one SQLite file. WAL lets the console read while ingest writes;
 * busy_timeout makes a second process (a headless `promote`, a CI `status`)
 * wait for the writer instead of failing with SQLITE_BUSY.
 *
 * The file, its WAL and SHM are 0600 (SQLite gives the WAL and SHM the mode of the
 * database file), and a directory we create for it is 0700. A new database uses
 * incremental auto-vacuum so that space freed by retention can go back to the disk.
 * Every failure to open names the path in one sentence: not SQLite, empty, another
 * application's database, or one written by a newer mlops-tui.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MIGRATIONS } from './migrations.js';
import { ensurePrivateDir, ensurePrivateFile, tightenFile } from './privateFiles.js';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  busyTimeoutMs?: number;
}

export class StoreError extends Error {}

/** Page size of a new database, bytes. */
export const PAGE_SIZE = 16384;

/** Page cache of a connection that writes, KiB. */
const WRITER_CACHE_KIB = 64 * 1024;

/** The schema version this build writes; a database above it is refused. */
export const SCHEMA_VERSION = MIGRATIONS.length;

let addonPath: string | undefined | null = null;

/**
 * better-sqlite3's compiled addon, for its `nativeBinding` option. `npm run build` bundles
 * better-sqlite3's JavaScript (scripts/bundle.ts: resolving its ten CommonJS files cost every
 * command that opens the database ~10 ms), and from inside a bundle its own lookup (the
 * `bindings` package, which searches above the calling file) would search our package, not
 * its. Undefined when the addon is not at build/Release (a debug build): better-sqlite3's own
 * lookup then runs, as it does from the sources.
 */
export function sqliteAddon(): string | undefined {
  if (addonPath === null) {
    const pkg = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
    const release = join(dirname(pkg), 'build', 'Release', 'better_sqlite3.node');
    addonPath = existsSync(release) ? release : undefined;
  }
  return addonPath;
}

export function openDb(path: string, opts: OpenOptions = {}): Db {
  const file = path !== ':memory:' && path !== '';
  if (file && existsSync(path) && statSync(path).isDirectory()) throw new StoreError(`database ${path} is a directory; pass the database file, e.g. --db ${path.replace(/\/+$/, '')}/mlops.db`);
  if (file && !opts.readonly) {
    ensurePrivateDir(dirname(path));
    ensurePrivateFile(path);
    for (const suffix of ['-wal', '-shm']) tightenFile(`${path}${suffix}`);
  }
  let db: Db;
  try {
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false, nativeBinding: sqliteAddon() });
  } catch (err) {
    throw new StoreError(`cannot open database ${path}: ${(err as Error).message}`);
  }
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    const version = schemaVersion(db, path);
    if (!opts.readonly) {
      if (version === 0) {
        // 16 KiB pages (SQLite's default is 4 KiB), set before the first table: four times the
        // index entries per page, so an insert touches fewer pages. Raw inserts of 500k lines
        // into our tables ran 1.37x (time-ordered ids) and 1.24x (UUIDv4) faster (issue 14,
        // bench/README.md). A database made with other pages keeps them: WAL cannot change it.
        db.pragma(`page_size = ${PAGE_SIZE}`);
        db.pragma('auto_vacuum = INCREMENTAL');
      }
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode keeps every commit atomic and durable across a process
      // crash (the case the exactly-once guarantee is about); only an OS crash can
      // lose the last commits, and then offsets roll back with their rows.
      db.pragma('synchronous = NORMAL');
      // 64 MiB of page cache (SQLite's default is 2 MiB), taken only as pages are read: the
      // unique index of random request ids (UUIDv4) outgrows 2 MiB at a few tens of thousands
      // of rows, and every insert then reads a page from the file (issue 14).
      db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
      migrate(db);
    } else if (version === 0) {
      throw new StoreError(`database ${path} is empty: it holds no mlops-tui data yet (run \`mlops-tui ingest\` or \`mlops-tui train\` to create it)`);
    }
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') throw new StoreError(`${path} is not an SQLite database (is --db pointing at the right file?)`);
    throw new StoreError(`cannot open database ${path}: ${(err as Error).message}`);
  }
  return db;
}

/**
 * The schema version of an open database, refusing what we must not touch: a newer schema,
 * or another application's SQLite file (tables but no version of ours).
 */
function schemaVersion(db: Db, path: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(`database ${path} was written by a newer mlops-tui (schema ${version}; this one reads up to ${SCHEMA_VERSION}): upgrade mlops-tui, or open a backup made by this version`);
  }
  if (version === 0) {
    const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
    if (tables > 0) throw new StoreError(`database ${path} is an SQLite file of another application (it has tables but no mlops-tui schema); refusing to change it`);
  }
  return version;
}

export function migrate(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new StoreError(`database ${db.name} was written by a newer mlops-tui (schema ${current}; this one reads up to ${SCHEMA_VERSION})`);
  }
  if (current === SCHEMA_VERSION) return current;
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

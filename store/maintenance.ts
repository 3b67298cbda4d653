/**
 * Backup and integrity check of the one database file. Both read through their own
 * connection and never block a running ingest: in WAL mode a reader sees a consistent
 * snapshot while the writer goes on.
 *
 * The backup uses SQLite's online backup API. A write by another process restarts a backup
 * that copies in small steps, so under a steady ingest a step-by-step copy might never end;
 * after a restart the rest is copied in one step, which reads one consistent snapshot (WAL
 * readers do not block writers). Either way the copy holds every row committed before it began.
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Db } from './db.js';
import { SCHEMA_VERSION, sqliteAddon } from './db.js';
import { tightenFile } from './privateFiles.js';
import { HASH_TOKEN_PREFIX } from './records.js';
import { fullRowCounts, hasCounters, rowCounts, type RowCounts } from './counters.js';

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

export interface BackupResult {
  path: string;
  pages: number;
  bytes: number;
  /** how many times a write by another process restarted the copy */
  restarts: number;
}

const STEP_PAGES = 1000;
const ALL_PAGES = 0x7fffffff;

/** Copies `db` to `path` (written to a temp file beside it, then renamed: never a torn backup). */
export async function backupDb(db: Db, path: string, onProgress?: (p: BackupProgress) => void): Promise<BackupResult> {
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  let restarts = 0;
  let lastRemaining = Infinity;
  let rate = STEP_PAGES;
  try {
    const done = await db.backup(tmp, {
      progress: (p: BackupProgress) => {
        if (p.remainingPages > lastRemaining) {
          restarts += 1;
          rate = ALL_PAGES;
        }
        lastRemaining = p.remainingPages;
        onProgress?.(p);
        return rate;
      },
    });
    tightenFile(tmp);
    // The copy carries the source's WAL flag; make it a self-contained rollback-journal file
    // so it can be copied off the host as one file.
    const copy = new Database(tmp, { nativeBinding: sqliteAddon() });
    try {
      copy.pragma('journal_mode = DELETE');
      // A database made before incremental auto-vacuum cannot switch in place without a
      // VACUUM that locks out the writers; its copy can. Putting the copy in place converts it.
      if (copy.pragma('auto_vacuum', { simple: true }) !== 2) {
        copy.pragma('auto_vacuum = INCREMENTAL');
        copy.exec('VACUUM');
      }
    } finally {
      copy.close();
    }
    renameSync(tmp, path);
    return { path, pages: done.totalPages, bytes: statSync(path).size, restarts };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export type CheckLevel = 'ok' | 'warn' | 'fail';

export interface CheckItem {
  name: 'integrity' | 'schema' | 'orphans' | 'offsets' | 'counters' | 'redaction' | 'space';
  level: CheckLevel;
  message: string;
  details: string[];
}

export interface CheckReport {
  ok: boolean;
  items: CheckItem[];
}

interface FileOffsetRow { id: number; path: string; inode: string; gz: number; offset: number }

/** Tables whose rows point at a `files` row through `file_id`. */
const FILE_CHILDREN = ['predictions', 'labels', 'quarantine'] as const;

/**
 * integrity_check (or quick_check), the schema version, rows pointing at files that are not
 * registered, offsets past the end of the file they were read from, and free space.
 */
export function checkDb(db: Db, opts: { quick?: boolean; redact?: Record<string, 'hash' | 'drop'>; rawDays?: number } = {}): CheckReport {
  const items: CheckItem[] = [];

  const problems = (db.pragma(opts.quick ? 'quick_check(20)' : 'integrity_check(20)') as Array<Record<string, string>>).map((r) => Object.values(r)[0]);
  const intact = problems.length === 1 && problems[0] === 'ok';
  items.push({ name: 'integrity', level: intact ? 'ok' : 'fail', message: intact ? `${opts.quick ? 'quick_check' : 'integrity_check'} ok` : `${opts.quick ? 'quick_check' : 'integrity_check'} found ${problems.length}${problems.length === 20 ? '+' : ''} problems`, details: intact ? [] : problems });

  const version = db.pragma('user_version', { simple: true }) as number;
  items.push(version === SCHEMA_VERSION
    ? { name: 'schema', level: 'ok', message: `schema ${version}, current`, details: [] }
    : { name: 'schema', level: 'warn', message: `schema ${version}, older than this mlops-tui's ${SCHEMA_VERSION}: the next writing command migrates it`, details: [] });

  const orphanDetails: string[] = [];
  for (const t of FILE_CHILDREN) {
    const n = (db.prepare(`SELECT count(*) AS n FROM ${t} WHERE file_id NOT IN (SELECT id FROM files)`).get() as { n: number }).n;
    if (n > 0) orphanDetails.push(`${n} ${t} rows point at a file that is not registered`);
  }
  items.push({ name: 'orphans', level: orphanDetails.length ? 'fail' : 'ok', message: orphanDetails.length ? 'rows without their file' : 'every row belongs to a registered file', details: orphanDetails });

  const beyond: string[] = [];
  const replaced: string[] = [];
  for (const f of db.prepare('SELECT id, path, inode, gz, offset FROM files WHERE superseded = 0').all() as FileOffsetRow[]) {
    // a .gz offset counts uncompressed bytes: not comparable with the file's size
    if (f.gz !== 0 || !existsSync(f.path)) continue;
    const st = statSync(f.path);
    if (st.size >= f.offset) continue;
    // the identity ingest records for a file (src/ingest/fileIngestor.ts): device and inode
    if (`${st.dev}:${st.ino}` === f.inode) beyond.push(`${f.path}: offset ${f.offset} but the file has ${st.size} bytes`);
    else replaced.push(`${f.path}: replaced since (offset ${f.offset} of the old file); ingest reads the new one from its start`);
  }
  items.push({
    name: 'offsets',
    level: beyond.length ? 'warn' : 'ok',
    message: beyond.length ? `${beyond.length} files are shorter than the offset read from them (truncated in place: the lines after the truncation are read when they arrive)` : 'no offset beyond its file\'s end',
    details: [...beyond, ...replaced],
  });

  // The counters `status` reads against full COUNTs of the rows (a database of an older schema has none yet).
  if (hasCounters(db)) {
    const wrong = countDifferences(db.transaction(() => [rowCounts(db), fullRowCounts(db)])());
    items.push({ name: 'counters', level: wrong.length ? 'fail' : 'ok', message: wrong.length ? 'the row counters differ from the rows' : 'row counters equal full counts', details: wrong });
  }

  // Rows stored before `redact` was configured still hold raw values: say how many.
  const rules = Object.entries(opts.redact ?? {}).filter(([name]) => !name.includes('"'));
  if (rules.length > 0) {
    const raw: string[] = [];
    for (const [name, action] of rules) {
      const path = `$."${name}"`;
      const n = (action === 'drop'
        ? db.prepare("SELECT count(*) FROM predictions WHERE json_type(features, ?) IS NOT NULL AND json_type(features, ?) <> 'null'").pluck().get(path, path)
        : db.prepare(`SELECT count(*) FROM predictions WHERE json_type(features, ?) NOT IN ('null', 'text') OR (json_type(features, ?) = 'text' AND substr(json_extract(features, ?), 1, ${HASH_TOKEN_PREFIX.length}) <> '${HASH_TOKEN_PREFIX}')`).pluck().get(path, path, path)) as number;
      if (n > 0) raw.push(`${n} predictions hold a raw "${name}" (${action === 'drop' ? 'to be dropped' : 'not a hash token'})`);
    }
    items.push({
      name: 'redaction',
      level: raw.length ? 'fail' : 'ok',
      message: raw.length ? 'raw values of redacted features, stored before `redact` was configured' : `no raw value of ${rules.map(([n]) => n).join(', ')} in predictions`,
      details: raw,
    });
  }

  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const autoVacuum = (['none', 'full', 'incremental'] as const)[db.pragma('auto_vacuum', { simple: true }) as number] ?? 'none';
  const mb = (n: number): string => `${(n * pageSize / 1048576).toFixed(1)} MB`;
  items.push({
    name: 'space',
    level: 'ok',
    message: `${mb(pages)} in ${pages} pages, ${mb(free)} free; auto_vacuum ${autoVacuum}${autoVacuum === 'incremental' ? '' : ' (freed pages are reused but not returned to the disk)'}; ${
      opts.rawDays === undefined ? '' : opts.rawDays > 0 ? `raw rows kept ${opts.rawDays} days` : 'retention off: raw rows are kept for ever (set retention.rawDays)'}`.replace(/; $/, ''),
    details: [],
  });

  return { ok: items.every((i) => i.level !== 'fail'), items };
}

/** Where the counters (`status`) and the full counts disagree, one sentence each. */
function countDifferences([kept, full]: RowCounts[]): string[] {
  const out: string[] = [];
  for (const k of ['predictions', 'labels', 'quarantined', 'requests'] as const) {
    if (kept[k] !== full[k]) out.push(`${k}: counted ${kept[k]}, rows ${full[k]}`);
  }
  const show = (m: RowCounts['models'][number] | undefined): string => (m === undefined ? 'none' : `${m.predictions} predictions, ${m.labelled} labelled`);
  const byKey = (c: RowCounts) => new Map(c.models.map((m) => [`${m.model}@${m.version}`, m]));
  const a = byKey(kept);
  const b = byKey(full);
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(name);
    const y = b.get(name);
    if (x?.predictions !== y?.predictions || x?.labelled !== y?.labelled) out.push(`${name}: counted ${show(x)}, rows ${show(y)}`);
  }
  return out;
}

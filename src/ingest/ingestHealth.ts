/**
 * What a running ingester is struggling with, where `status` can read it.
 *
 * When a commit keeps failing (the database locked by another writer, a full
 * disk) the database itself may not take the news, so each ingesting process
 * keeps a small JSON file beside it, `<db>.ingest-<pid>.json`, while it has a
 * problem, and removes it once a commit succeeds again. Written best-effort:
 * on a full disk the write may fail too, and the console still shows the
 * problem on its flash line.
 */
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface IngestHealth {
  pid: number;
  /** One sentence: what fails and when the next attempt is. */
  problem: string;
  since: number;
  attempts: number;
  updatedAt: number;
}

const PREFIX = (db: string): string => `${basename(db)}.ingest-`;

function healthPath(db: string, pid: number): string {
  return join(dirname(db), `${PREFIX(db)}${pid}.json`);
}

export function writeIngestHealth(db: string, h: IngestHealth | null): void {
  const p = healthPath(db, process.pid);
  try {
    if (h === null) {
      rmSync(p, { force: true });
      return;
    }
    const tmp = `${p}.tmp`;
    writeFileSync(tmp, JSON.stringify(h), { mode: 0o600 });
    renameSync(tmp, p);
  } catch {
    // Best effort (see above).
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Problems of the ingesters running now on `db`; files of dead processes are ignored. */
export function readIngestHealth(db: string): IngestHealth[] {
  let names: string[];
  try { names = readdirSync(dirname(db)); } catch { return []; }
  const out: IngestHealth[] = [];
  for (const n of names) {
    if (!n.startsWith(PREFIX(db)) || !n.endsWith('.json')) continue;
    try {
      const h = JSON.parse(readFileSync(join(dirname(db), n), 'utf8')) as IngestHealth;
      if (typeof h.pid === 'number' && alive(h.pid)) out.push(h);
    } catch { /* half-written or gone */ }
  }
  return out.sort((a, b) => a.since - b.since);
}

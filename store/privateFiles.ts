/**
 * Everything mlops-tui writes holds prediction data or controls serving, so it is private to
 * the operator's account: files 0600 in directories 0700, whatever the umask of the shell that
 * started us (a default umask of 022 left the database, its WAL and routing.json readable by
 * every user of a shared serving host). Modes are set with chmod after creation because the
 * mode given to open/mkdir is filtered through the umask.
 */
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
/** The umask a command runs under: group and others get nothing. */
export const PRIVATE_UMASK = 0o077;

/**
 * Creates `dir` and any missing parents as 0700. Directories that already exist are left as
 * they are: they may be the operator's working directory or a shared /var/lib.
 */
export function ensurePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  if (missing.length === 0) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const d of missing) chmodSync(d, PRIVATE_DIR_MODE);
}

/** Creates `path` empty if missing; in every case leaves it 0600 when we own it. */
export function ensurePrivateFile(path: string): void {
  if (!existsSync(path)) {
    closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  }
  tightenFile(path);
}

/** Makes an existing file of ours 0600; a file owned by someone else is left alone. */
export function tightenFile(path: string): void {
  try {
    const st = statSync(path);
    if ((st.mode & 0o777) !== PRIVATE_FILE_MODE && (process.getuid === undefined || st.uid === process.getuid())) chmodSync(path, PRIVATE_FILE_MODE);
  } catch {
    /* missing: nothing to tighten */
  }
}

/** Opens `path` for writing with mode 0600 regardless of the umask; returns the descriptor. */
export function openPrivate(path: string, flags: 'w' | 'a' | 'wx'): number {
  const fd = openSync(path, flags, PRIVATE_FILE_MODE);
  fchmodSync(fd, PRIVATE_FILE_MODE);
  return fd;
}

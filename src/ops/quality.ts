/**
 * Exporting the rows to fix first: the console's `e` on the Quality screen writes them to a
 * file beside the database (the console owns the terminal, so it cannot print them), the CLI's
 * `quality export` prints the same rows from the same ranking to stdout.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OpsContext } from './context.js';

export interface ExportedRows {
  path: string;
  rows: number;
}

/** A file name from a feature name that came from a log: letters, digits, `-` and `_` only. */
const safeName = (s: string): string => s.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60) || 'feature';

export async function exportRowsToFile(ctx: OpsContext, feature: string, top: number, now = Date.now()): Promise<ExportedRows> {
  const { exportRows } = await import('../quality/report.js');
  const rows = await exportRows(ctx.db, ctx.cfg, { feature, top, since: null, until: null, model: null });
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const path = join(dirname(ctx.cfg.db), `to-fix-${safeName(feature)}-${stamp}.jsonl`);
  // 0600: the rows carry logged feature values (after redaction), like the database itself.
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''), { mode: 0o600 });
  return { path, rows: rows.length };
}

// Dataset drift, as Evidently's DatasetDriftMetric: drifted when the share of drifted columns
// reaches `share` (default 0.5). Only 'drift' counts; 'warn' columns do not.
import type { ColumnDriftResult } from './columnDrift.js';

export interface DatasetDriftResult {
  drifted: boolean;
  /** Share of compared columns at level 'drift'. */
  share: number;
  driftedColumns: string[];
}

export function datasetDrift(results: readonly ColumnDriftResult[], share = 0.5): DatasetDriftResult {
  const driftedColumns = results.filter((r) => r.level === 'drift').map((r) => r.feature);
  const s = results.length > 0 ? driftedColumns.length / results.length : 0;
  return { drifted: results.length > 0 && s >= share, share: s, driftedColumns };
}

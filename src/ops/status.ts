/** `status` and `history`: what the store holds, and the audit trail. */
import { auditTrail, type AuditRow } from '../../store/audit.js';
import { listModels, refOf } from '../../store/registry.js';
import { fileStatuses, quarantineReasons, schemaFields, trafficCounts } from '../../store/statusQueries.js';
import { conflictCounts } from '../../store/conflicts.js';
import { readIngestHealth } from '../ingest/ingestHealth.js';
import type { OpsContext } from './context.js';

export function status(ctx: OpsContext) {
  const registry = listModels(ctx.db);
  const active = registry.find((m) => m.alias === 'active');
  const { counts, models } = trafficCounts(ctx.db);
  return {
    db: ctx.cfg.db,
    active: active ? refOf(active) : null,
    registry: registry.map((m) => ({ model: refOf(m), alias: m.alias, type: m.type, task: m.task, createdAt: m.createdAt })),
    counts,
    models,
    files: fileStatuses(ctx.db),
    quarantine: quarantineReasons(ctx.db),
    schema: schemaFields(ctx.db),
    // Keys logged twice with different content, per model version (labels apart); both versions are in the table.
    conflicts: conflictCounts(ctx.db),
    // Problems of the ingesters running now (a commit being retried), from beside the database.
    ingest: readIngestHealth(ctx.cfg.db),
  };
}

export type StatusReport = ReturnType<typeof status>;

/** The audit trail, newest first. */
export function history(ctx: OpsContext, limit = 200): AuditRow[] {
  return auditTrail(ctx.db, limit);
}

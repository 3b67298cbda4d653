/**
 * `hosts` and the console's Hosts screen: per serving host its counts, and which
 * replica's inputs differ from the others (src/fleet/hostDrift.ts). One
 * computation for both, so the screen and the command name the same replica.
 */
import { hostCounts, modelsWithPredictions, recentFeaturesByHost, type HostCounts } from '../../store/fleetStore.js';
import { schemaFields } from '../../store/statusQueries.js';
import { driftPerHost, LOCAL_HOST, type HostDrift } from '../fleet/hostDrift.js';
import type { Db } from '../../store/db.js';
import { OpsInputError } from './context.js';

export interface HostsReport {
  /** Counts per host; rows read from local files are under LOCAL_HOST. */
  hosts: Array<Omit<HostCounts, 'host'> & { host: string }>;
  /** Per model with two or more hosts of at least 50 predictions: each host against the others. */
  drift: Array<HostDrift & { model: string }>;
}

export interface HostsOptions {
  /** Only this model (default: every model with predictions). */
  model?: string;
  /** Most recent predictions per host compared. */
  rows: number;
  /** Only predictions stored after this row id (default: all). */
  afterId?: number;
}

export function hostsReport(db: Db, o: HostsOptions): HostsReport {
  const known = modelsWithPredictions(db);
  if (o.model !== undefined && !known.includes(o.model)) throw new OpsInputError(`no predictions of model "${o.model}"`);
  const schema = Object.fromEntries(schemaFields(db).map((f) => [f.name, f.kind]));
  const models = o.model !== undefined ? [o.model] : known;
  const drift = models.flatMap((model) => driftPerHost(
    recentFeaturesByHost(db, model, o.rows, o.afterId ?? 0).map((r) => ({ host: r.host, features: JSON.parse(r.features) as Record<string, unknown> })), schema,
  ).map((d) => ({ model, ...d })));
  return { hosts: hostCounts(db).map((h) => ({ ...h, host: h.host ?? LOCAL_HOST })), drift };
}

/**
 * A simulated upstream incident for the demo: from a given time an hour-of-day
 * feature arrives shifted (a time-zone bug: UTC instead of local time). It is a
 * flag of the replay, announced by the console, never mixed silently into data.
 */
import { formatDay, parseTime } from '../core/time.js';
export interface Incident {
  feature: string;
  hours: number;
  from: number;
  label: string;
}

export function parseIncident(spec: string): Incident {
  const m = /^([A-Za-z_][\w.-]*)([+-]\d+)h@(.+)$/.exec(spec.trim());
  if (!m) throw new Error(`--incident must look like "hour+6h@2001-03-01", not "${spec}"`);
  const from = parseTime(m[3]);
  if (from === null) throw new Error(`--incident time "${m[3]}" is not an ISO 8601 time`);
  const hours = Number(m[2]);
  return { feature: m[1], hours, from, label: `${m[1]} shifted ${m[2]}h from ${formatDay(from)}` };
}

export function applyIncident(incident: Incident | null, ts: number, row: Record<string, unknown>): Record<string, unknown> {
  if (incident === null || ts < incident.from) return row;
  const v = Number(row[incident.feature]);
  if (!Number.isFinite(v)) return row;
  return { ...row, [incident.feature]: (((v + incident.hours) % 24) + 24) % 24 };
}

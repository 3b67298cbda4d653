/**
 * Which replica differs: each host's recent inputs against the other hosts'
 * pooled, with the same drift statistics and levels as the console (a bad
 * replica — a stale feature pipeline, another model file, a broken upstream
 * on one host — shows as drift on that host only).
 */
import { buildProfile, type FeatureSchema } from '../drift/profile.js';
import { compareDatasets, type ColumnDriftResult } from '../drift/columnDrift.js';
import type { DriftLevel } from '../drift/levels.js';

export interface HostFeatureDrift {
  feature: string;
  method: ColumnDriftResult['method'];
  /** Median over the comparisons with each other host. */
  statistic: number;
  /** 'drift' when it drifts against most other hosts, 'warn' when against some, else 'ok'. */
  level: DriftLevel;
  /** Other hosts this feature drifts against. */
  against: string[];
}

export interface HostDrift {
  host: string;
  rows: number;
  /** Some feature drifts against most other hosts. */
  drifted: boolean;
  features: HostFeatureDrift[];
}

/** The name rows read from local files (no host) are shown under. */
export const LOCAL_HOST = '(local files)';

/**
 * Each host is compared with every other host, one at a time, and a feature
 * counts against a host only when it drifts against most of the others: a
 * pool of "the others" would hold the bad replica too and make every good
 * host look shifted. With two hosts, both differ from each other and which is
 * wrong cannot be told from inputs alone (said as such).
 *
 * `rows`: features of recent predictions with their host. Hosts with fewer
 * than `minRows` rows are left out (too few to say anything), and so is the
 * comparison when fewer than two hosts remain.
 */
export function driftPerHost(rows: Array<{ host: string | null; features: Record<string, unknown> }>, schema: FeatureSchema, minRows = 50): HostDrift[] {
  const byHost = new Map<string, Array<Record<string, unknown>>>();
  for (const r of rows) {
    const h = r.host ?? LOCAL_HOST;
    let list = byHost.get(h);
    if (!list) byHost.set(h, list = []);
    list.push(r.features);
  }
  const hosts = [...byHost.keys()].filter((h) => byHost.get(h)!.length >= minRows).sort();
  if (hosts.length < 2) return [];
  const refs = new Map(hosts.map((h) => [h, buildProfile(byHost.get(h)!, schema)]));
  return hosts.map((h) => {
    const others = hosts.filter((o) => o !== h);
    const perFeature = new Map<string, ColumnDriftResult[]>();
    const against = new Map<string, string[]>();
    for (const o of others) {
      const ref = refs.get(o)!;
      for (const r of compareDatasets(ref, buildProfile(byHost.get(h)!, schema, ref))) {
        let list = perFeature.get(r.feature);
        if (!list) { perFeature.set(r.feature, list = []); against.set(r.feature, []); }
        list.push(r);
        if (r.level === 'drift') against.get(r.feature)!.push(o);
      }
    }
    const features: HostFeatureDrift[] = [...perFeature].map(([feature, rs]) => {
      const n = against.get(feature)!.length;
      const stats = rs.map((r) => r.statistic).sort((a, b) => a - b);
      const level: DriftLevel = n * 2 > others.length ? 'drift' : n > 0 ? 'warn' : 'ok';
      return { feature, method: rs[0].method, statistic: stats[Math.floor(stats.length / 2)], level, against: against.get(feature)! };
    }).sort((a, b) => rank(b.level) - rank(a.level) || a.feature.localeCompare(b.feature));
    return { host: h, rows: byHost.get(h)!.length, drifted: features.some((f) => f.level === 'drift'), features };
  });
}

function rank(l: DriftLevel): number {
  return l === 'drift' ? 2 : l === 'warn' ? 1 : 0;
}

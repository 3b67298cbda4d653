/**
 * `--metrics PORT` of the console and `ingest`: the figures an operator watches, on GET
 * /metrics in the Prometheus text format (prom-client), so they reach an existing Grafana or
 * Alertmanager. Every value is read from the latest snapshot when Prometheus scrapes: nothing
 * is computed twice and a scrape never touches the database.
 *
 * Families: ingest rate and totals, whether ingest has caught up, quarantined lines, drift
 * level and statistic per feature, realised and estimated (CBPE) accuracy per model, open
 * alerts by kind and level.
 */
import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import type { AlertRow, DriftStatus, IngestStatus, Level, TrafficRow } from '../engine/snapshot.js';

/** What a process can tell: the console has all of it, `ingest` only the ingest part. */
export interface MetricsSample {
  /** `ingest` does not know whether it has caught up (the console's engine does). */
  ingest?: Omit<IngestStatus, 'caughtUp'> & { caughtUp?: boolean };
  traffic?: TrafficRow[];
  drift?: DriftStatus;
  alerts?: AlertRow[];
}

const LEVEL_VALUE: Record<Level, number> = { ok: 0, warn: 1, drift: 2 };

export function metricsRegistry(sampleNow: () => MetricsSample | null): Registry {
  const registry = new Registry();
  // Every family of one scrape reads one sample (the ingest's lag stats the watched files).
  let held: { at: number; s: MetricsSample | null } | null = null;
  const sample = (): MetricsSample | null => {
    if (held === null || Date.now() - held.at > 100) held = { at: Date.now(), s: sampleNow() };
    return held.s;
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>, s: MetricsSample) => void): void => {
    new Gauge<L>({
      name, help, labelNames, registers: [registry],
      collect() {
        this.reset();
        const s = sample();
        if (s !== null) fill(this, s);
      },
    });
  };
  gauge('mlops_ingest_lines_per_second', 'Lines ingested per second, averaged over the last few seconds', [], (g, s) => { if (s.ingest) g.set(s.ingest.ratePerSec); });
  gauge('mlops_ingest_predictions', 'Prediction rows stored so far (the rowid high-water mark: rows retention deleted still count)', [], (g, s) => { if (s.ingest) g.set(s.ingest.predictions); });
  gauge('mlops_ingest_labels', 'Label rows stored so far (the rowid high-water mark: rows retention deleted still count)', [], (g, s) => { if (s.ingest) g.set(s.ingest.labels); });
  gauge('mlops_ingest_quarantined_lines', 'Lines set aside with a reason (bad JSON, missing fields, ...)', [], (g, s) => { if (s.ingest) g.set(s.ingest.quarantined); });
  gauge('mlops_ingest_caught_up', '1 when every watched file has been read to its end (no ingest lag), else 0', [], (g, s) => { if (s.ingest?.caughtUp !== undefined) g.set(s.ingest.caughtUp ? 1 : 0); });
  gauge('mlops_ingest_lag_bytes', 'Bytes written to the watched log files and not ingested yet (plain files; rotated .gz files not counted)', [], (g, s) => {
    if (typeof s.ingest?.lagBytes === 'number') g.set(s.ingest.lagBytes);
  });
  gauge('mlops_ingest_nats_pending_messages', 'With --from nats: messages of the durable consumer not acknowledged yet (not delivered plus delivered and waiting)', [], (g, s) => {
    if (typeof s.ingest?.natsPending === 'number') g.set(s.ingest.natsPending);
  });
  gauge('mlops_ingest_nats_oldest_unacked_seconds', 'With --from nats: age of the oldest message not acknowledged yet (0 when none is pending)', [], (g, s) => {
    if (typeof s.ingest?.natsOldestUnackedSeconds === 'number') g.set(s.ingest.natsOldestUnackedSeconds);
  });
  gauge('mlops_drift_level', 'Drift level per feature in the current window: 0 ok, 1 warn, 2 drift', ['feature', 'method'], (g, s) => {
    for (const f of s.drift?.features ?? []) g.set({ feature: f.name, method: f.method }, LEVEL_VALUE[f.level]);
  });
  gauge('mlops_drift_statistic', 'The drift method\'s statistic per feature in the current window', ['feature', 'method'], (g, s) => {
    for (const f of s.drift?.features ?? []) if (Number.isFinite(f.statistic)) g.set({ feature: f.name, method: f.method }, f.statistic);
  });
  gauge('mlops_dataset_drifted', '1 when the share of drifted features reaches the dataset threshold', [], (g, s) => { if (s.drift) g.set(s.drift.datasetDrifted ? 1 : 0); });
  gauge('mlops_model_accuracy', 'Realised accuracy per model over the current window of labelled rows', ['model', 'alias'], (g, s) => {
    for (const t of s.traffic ?? []) if (t.accuracy !== null) g.set({ model: t.model, alias: t.alias }, t.accuracy);
  });
  gauge('mlops_model_estimated_accuracy', 'Estimated accuracy per model (CBPE, no labels needed) over the current window', ['model', 'alias'], (g, s) => {
    for (const t of s.traffic ?? []) if (t.estAccuracy !== null) g.set({ model: t.model, alias: t.alias }, t.estAccuracy);
  });
  gauge('mlops_model_label_coverage', 'Share of a model\'s predictions whose label has arrived', ['model', 'alias'], (g, s) => {
    for (const t of s.traffic ?? []) g.set({ model: t.model, alias: t.alias }, t.coverage);
  });
  gauge('mlops_alerts_open', 'Open alerts by kind and level', ['kind', 'level'], (g, s) => {
    const counts = new Map<string, number>();
    for (const a of s.alerts ?? []) counts.set(`${a.kind}\u0000${a.level}`, (counts.get(`${a.kind}\u0000${a.level}`) ?? 0) + 1);
    for (const [k, n] of counts) {
      const [kind, level] = k.split('\u0000');
      g.set({ kind, level }, n);
    }
  });
  return registry;
}

/** Serves GET /metrics (and /healthz) on host:port; resolves once listening. */
export async function startMetricsServer(registry: Registry, port: number, host = '127.0.0.1'): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      }, (e: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(e.message);
      });
      return;
    }
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('GET /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: Error) => reject(new Error(`cannot serve metrics on ${host}:${port}: ${e.message}`)));
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const url = typeof addr === 'object' && addr !== null ? `http://${addr.address}:${addr.port}` : String(addr);
  return { server, url, close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }) };
}

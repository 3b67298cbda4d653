/**
 * What `serve` exposes on GET /metrics, in the Prometheus text format through prom-client:
 * requests by route and status, request latency per active model, scoring time per model
 * and role (the cost of the shadows), the log queue and the active model. A registry of its
 * own (not prom-client's global one), so two servers in one process (the tests) do not share
 * counters.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

// Request latencies of a model server: most answers in well under a millisecond, the tail in
// tens of milliseconds (a GC pause, a registry refresh).
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'route' | 'status'>;
  latency: Histogram<'model'>;
  scoring: Histogram<'model' | 'role'>;
  logLinesWritten: Counter;
}

export function serveMetrics(sources: {
  logQueueDepth: () => number;
  logLinesWritten: () => number;
  active: () => string | null;
}): ServeMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'mlops_serve_requests_total', help: 'HTTP requests by route and status code',
    labelNames: ['route', 'status'] as const, registers: [registry],
  });
  const latency = new Histogram({
    name: 'mlops_serve_predict_duration_seconds', help: 'POST /predict from the body read to the answer, by the active model that answered',
    labelNames: ['model'] as const, buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const scoring = new Histogram({
    name: 'mlops_serve_scoring_duration_seconds', help: 'Time one model took to score one request, by model and role (active or shadow)',
    labelNames: ['model', 'role'] as const, buckets: LATENCY_BUCKETS, registers: [registry],
  });
  new Gauge({
    name: 'mlops_serve_log_queue_lines', help: 'Prediction and label lines answered but not yet written to the log',
    registers: [registry], collect() { this.set(sources.logQueueDepth()); },
  });
  const logLinesWritten = new Counter({
    name: 'mlops_serve_log_lines_written_total', help: 'Lines written to the prediction log',
    registers: [registry], collect() { this.reset(); this.inc(sources.logLinesWritten()); },
  });
  new Gauge({
    name: 'mlops_serve_active_model', help: 'The model answering requests (value 1, the model as a label)',
    labelNames: ['model'] as const, registers: [registry],
    collect() {
      this.reset();
      const a = sources.active();
      if (a !== null) this.set({ model: a }, 1);
    },
  });
  return { registry, requests, latency, scoring, logLinesWritten };
}

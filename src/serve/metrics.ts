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
  /** One request answered (counted by route and status). */
  answered(route: string, status: number): void;
  /** One POST /predict's time from the body read to the answer, seconds. */
  predictTime(model: string, seconds: number): void;
  /** `count` requests scored by one model in `seconds` each. */
  scoringTime(model: string, role: 'active' | 'shadow', seconds: number, count?: number): void;
}

/**
 * prom-client hashes the label set on every inc/observe; the child of a label set is found
 * once here and kept (label sets are few: a handful of routes, statuses and models).
 */
function children<C>(make: (key: string) => C): (key: string) => C {
  const made = new Map<string, C>();
  return (key) => {
    let c = made.get(key);
    if (c === undefined) {
      c = make(key);
      made.set(key, c);
    }
    return c;
  };
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
  const requestsOf = children((key) => {
    const [route, status] = key.split(' ') as [string, string];
    return requests.labels({ route, status });
  });
  const latencyOf = children((model) => latency.labels({ model }));
  const scoringOf = children((key) => {
    const cut = key.lastIndexOf(' '); // the role has no space; a model name may
    return scoring.labels({ model: key.slice(0, cut), role: key.slice(cut + 1) });
  });
  return {
    registry, requests, latency, scoring, logLinesWritten,
    answered: (route, status) => requestsOf(`${route} ${status}`).inc(),
    predictTime: (model, seconds) => latencyOf(model).observe(seconds),
    scoringTime: (model, role, seconds, count = 1) => {
      const h = scoringOf(`${model} ${role}`);
      for (let i = 0; i < count; i++) h.observe(seconds);
    },
  };
}

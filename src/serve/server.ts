/**
 * A minimal serving endpoint for models in the registry: POST /predict answers with the
 * active model's score; every shadow scores the request after the answer is written (logged
 * only), and the prediction lines go to today's log in the watched directory; POST /label
 * appends a label line. Lines are written off the request path in batches (logWriter.ts) and
 * flushed by close(). GET /healthz answers 200 while an active model serves, GET /metrics in
 * the Prometheus text format (metrics.ts). The registry is re-read every 250 ms on a timer, so
 * a promotion from the console changes the answer within a second. It binds to loopback by
 * default: put a real server in front of it for anything else.
 */
import { formatDay, isoTime, parseTime } from '../core/time.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../store/db.js';
import { ServingModels, type ServingModel } from '../replay/servingModels.js';
import type { Predictions } from '../models/predictor.js';
import { TimeRange, type TimeRangeRule } from '../core/timeRange.js';
import { accessPolicy, authorized } from './access.js';
import type { Redactor } from '../redact/redact.js';
import { LogWriter } from './logWriter.js';
import { serveMetrics } from './metrics.js';

export interface ServeOptions {
  out: string;
  port: number;
  host?: string;
  registryPollMs?: number;
  maxBodyBytes?: number;
  /** Event times outside it are refused with 400, as ingest would quarantine them. */
  timeRange?: TimeRangeRule;
  /** Needed to bind a non-loopback address (with `token`); see access.ts. */
  allowRemote?: boolean;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string | null;
  /** Config `redact`: the models score the raw features, the log gets them redacted. */
  redact?: Redactor | null;
}

export interface PredictResponse {
  id: string;
  model: string;
  version: number;
  prediction: unknown;
  score: unknown;
  shadows: string[];
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

function readJson(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) { reject(new HttpError(413, `body over ${max} bytes`)); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new HttpError(400, 'the body must be a JSON object'));
      }
    });
    req.on('error', reject);
  });
}

/** What an answered request still owes: its log lines and its shadows' scores (see settle). */
interface Owed {
  models: readonly ServingModel[];
  features: Record<string, unknown>;
  ts: number;
  id: string;
  prediction: unknown;
  score: unknown;
}

export async function startServer(db: Db, opts: ServeOptions): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const token = accessPolicy(opts.host ?? '127.0.0.1', opts.allowRemote ?? false, opts.token ?? null);
  mkdirSync(opts.out, { recursive: true });
  const serving = new ServingModels(db);
  await serving.refresh();
  const pollMs = opts.registryPollMs ?? 250;
  const max = opts.maxBodyBytes ?? 1024 * 1024;
  const range = new TimeRange(opts.timeRange);
  const eventTime = (body: Record<string, unknown>): number => {
    const ts = body.ts === undefined ? Date.now() : parseTime(body.ts);
    if (ts === null) throw new HttpError(400, '"ts" must be an ISO 8601 time or epoch milliseconds');
    const why = range.admit(ts);
    if (why !== null) throw new HttpError(400, `"ts" out of range: ${why}`);
    return ts;
  };
  let lastDay = NaN;
  let lastFile = '';
  const logFile = (ts: number): string => {
    const day = Math.floor(ts / 86_400_000); // formatDay's UTC day
    if (day !== lastDay) {
      lastDay = day;
      lastFile = join(opts.out, `serve-${formatDay(ts)}.jsonl`);
    }
    return lastFile;
  };
  const log = new LogWriter({ onError: (e) => process.stderr.write(`mlops-tui: serve: writing the log failed (retrying): ${e.message}\n`) });
  const activeRef = (): string | null => {
    const a = serving.current.find((m) => m.alias === 'active');
    return a ? `${a.name}@${a.version}` : null;
  };
  const ref = (m: ServingModel): string => `${m.name}@${m.version}`;

  // The answer needs the active model's score only. Shadow scores and every log line are owed
  // work, settled after the answer is written: once per turn of the event loop (setImmediate
  // runs after the turn's requests have been answered), each shadow scoring the turn's requests
  // in one call. Nothing owed is lost: label lines, a registry change and close() settle first.
  let owed: Owed[] = [];
  let owedLines = 0;
  let stopped = false; // set once close() has settled the last owed work
  let settleScheduled = false;
  const settle = (): void => {
    settleScheduled = false;
    const batch = owed;
    owed = [];
    owedLines = 0;
    // Requests of one turn nearly always share one serving set (a registry change settles first).
    for (let start = 0; start < batch.length;) {
      let end = start + 1;
      while (end < batch.length && batch[end]!.models === batch[start]!.models) end++;
      settleGroup(batch.slice(start, end));
      start = end;
    }
  };
  const settleGroup = (group: Owed[]): void => {
    const models = group[0]!.models;
    const shadowScores = new Map<ServingModel, Predictions>();
    const rows = group.map((o) => o.features);
    for (const m of models) {
      if (m.alias !== 'shadow') continue;
      const t0 = performance.now();
      try {
        shadowScores.set(m, m.predictor.predict(rows));
      } catch (e) {
        // The answers are sent; a shadow that cannot score loses its lines, not the requests.
        process.stderr.write(`mlops-tui: serve: shadow ${ref(m)} could not score ${rows.length} request(s): ${(e as Error).message}\n`);
        continue;
      }
      metrics.scoringTime(ref(m), 'shadow', (performance.now() - t0) / 1000 / rows.length, rows.length);
    }
    for (let j = 0; j < group.length; j++) {
      const o = group[j]!;
      // The line JSON.stringify would write, with the request's part serialised once for all its models.
      const common = `{"ts":${JSON.stringify(isoTime(o.ts))},"id":${JSON.stringify(o.id)},"model":`;
      const features = `,"features":${JSON.stringify(opts.redact ? opts.redact.features(o.features) : o.features)},"prediction":`;
      const line = (m: ServingModel, prediction: unknown, score: unknown): string =>
        `${common}${JSON.stringify(m.name)},"version":${m.version}${features}${JSON.stringify(prediction) ?? 'null'},"score":${JSON.stringify(score) ?? 'null'}}`;
      const lines: string[] = [];
      for (const m of models) {
        if (m.alias === 'active') {
          lines.push(line(m, o.prediction, o.score));
          continue;
        }
        const r = shadowScores.get(m);
        if (r !== undefined) lines.push(line(m, r.prediction[j], r.score[j]));
      }
      log.push(logFile(o.ts), lines);
    }
  };
  const metrics = serveMetrics({ logQueueDepth: () => log.depth + owedLines, logLinesWritten: () => log.written, active: activeRef });

  // The registry is re-read on a timer, not on the request path; promotions take effect within pollMs.
  let refreshing: Promise<unknown> | null = null;
  const poll = setInterval(() => {
    if (refreshing !== null) return;
    refreshing = serving.refresh(settle)
      .catch((e: Error) => process.stderr.write(`mlops-tui: serve: reading the registry failed (retrying): ${e.message}\n`))
      .finally(() => { refreshing = null; });
  }, pollMs);
  poll.unref();

  // The shadows' names in answers, rebuilt when the serving set changes.
  let shadowsOf: readonly ServingModel[] = [];
  let shadowNames: string[] = [];

  const predict = async (body: Record<string, unknown>): Promise<PredictResponse> => {
    const models = serving.current;
    const active = models.find((m) => m.alias === 'active');
    if (!active) throw new HttpError(503, 'no active model in the registry');
    const features = body.features;
    if (features === null || typeof features !== 'object' || Array.isArray(features)) throw new HttpError(400, '"features" must be an object');
    const ts = eventTime(body);
    const id = typeof body.id === 'string' && body.id !== '' ? body.id : randomUUID();
    // Memory stays bounded when the disk is slower than the requests: wait before answering.
    for (let wait = log.room(); wait !== null; wait = log.room()) await wait;
    // A request still waiting when close() cut its connection is not answered, so owes nothing.
    if (stopped) throw new HttpError(503, 'the server is stopping');
    const t0 = performance.now();
    const r = active.predictor.predict([features as Record<string, unknown>]);
    metrics.scoringTime(ref(active), 'active', (performance.now() - t0) / 1000);
    owed.push({ models, features: features as Record<string, unknown>, ts, id, prediction: r.prediction[0], score: r.score[0] });
    owedLines += models.length;
    if (!settleScheduled) {
      settleScheduled = true;
      setImmediate(settle);
    }
    if (shadowsOf !== models) {
      shadowsOf = models;
      shadowNames = models.filter((m) => m.alias === 'shadow').map(ref);
    }
    return { id, model: active.name, version: active.version, prediction: r.prediction[0], score: r.score[0], shadows: shadowNames };
  };

  const label = async (body: Record<string, unknown>): Promise<{ id: string }> => {
    const id = body.id;
    if (typeof id !== 'string' || id === '') throw new HttpError(400, '"id" must be the request id');
    const v = body.label;
    if (!(typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) throw new HttpError(400, '"label" must be a number, string or boolean');
    const ts = eventTime(body);
    settle(); // a label follows the prediction lines of every request answered before it
    await log.append(logFile(ts), [JSON.stringify({ ts: isoTime(ts), id, label: v })]);
    return { id };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const route = req.url === '/predict' || req.url === '/label' || req.url === '/health' || req.url === '/healthz' || req.url === '/metrics' ? req.url : 'other';
    const send = (status: number, v: unknown): void => {
      const text = JSON.stringify(v);
      // With its length known the answer goes out in one piece, not chunked.
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      metrics.answered(route, status);
    };
    try {
      if (token !== null && !authorized(req, token)) {
        res.setHeader('www-authenticate', 'Bearer');
        return send(401, { error: 'send the token as "Authorization: Bearer <token>"' });
      }
      if (req.method === 'GET' && req.url === '/health') return send(200, { ok: true, serving: serving.current.map((m) => `${m.name}@${m.version}${m.alias === 'active' ? '*' : ''}`) });
      if (req.method === 'GET' && req.url === '/healthz') {
        const active = activeRef();
        return send(active === null ? 503 : 200, active === null ? { ok: false, error: 'no active model in the registry' } : { ok: true, active });
      }
      if (req.method === 'GET' && req.url === '/metrics') {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
        metrics.answered(route, 200);
        return;
      }
      if (req.method === 'POST' && req.url === '/predict') {
        const body = await readJson(req, max);
        const t0 = performance.now();
        const answer = await predict(body);
        metrics.predictTime(`${answer.model}@${answer.version}`, (performance.now() - t0) / 1000);
        return send(200, answer);
      }
      if (req.method === 'POST' && req.url === '/label') return send(200, await label(await readJson(req, max)));
      send(404, { error: 'use POST /predict, POST /label, GET /healthz, GET /health or GET /metrics' });
    } catch (e) {
      send(e instanceof HttpError ? e.status : 500, { error: (e as Error).message });
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const url = typeof addr === 'object' && addr !== null ? `http://${addr.address}:${addr.port}` : String(addr);
  return {
    server, url,
    // Stop accepting, let requests in flight finish (their lines join the queue), then write
    // the queue: everything answered is in the log when this resolves.
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Keep-alive clients that keep sending would hold close() open: cut them after a grace period.
      const cut = setTimeout(() => server.closeAllConnections(), 2000);
      await closed;
      clearTimeout(cut);
      clearInterval(poll);
      await refreshing;
      settle();
      stopped = true;
      await log.close();
      serving.dispose();
    },
  };
}

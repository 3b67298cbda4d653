/**
 * An open-loop HTTP load generator: request i is due at start + i/rate, whether or not earlier
 * requests have been answered, and its latency is counted from that due time, not from when it
 * was written. A server that stalls therefore pays for every request that fell due during the
 * stall (no coordinated omission), and a generator that is late pays too: its own lateness is
 * reported beside the figures, so the floor it adds can be read off.
 *
 * Run as its own process (so the server and the bench's other work never share its event loop):
 *
 *   node --import tsx bench/openLoop.ts URL RATE SECONDS WARMUP_SECONDS BODY_JSON
 *
 * It prints one JSON object (OpenLoopResult) on stdout. Requests are written on CONNECTIONS
 * keep-alive connections opened before the clock starts, as raw HTTP/1.1 (what autocannon does
 * too: no client library on the path). A request that falls due while every connection is busy
 * waits for the first free one, and its wait counts (wrk2's model: a fixed pool, as a proxy in
 * front of the server would keep). 32 connections carry 1,000 requests/s without waiting as
 * long as answers take under 32 ms.
 *
 * Timers in Node fire on a millisecond grid, so requests due within the same millisecond are
 * written together; at 1,000 requests/s that is about one a millisecond.
 */
import { connect, type Socket } from 'node:net';

export const CONNECTIONS = 32;

export interface OpenLoopResult {
  rate: number;
  /** Requests measured (after the warm-up). */
  requests: number;
  /** 2xx answers, warm-up included (the serve bench checks the log against them). */
  answered: number;
  /** Answered with a status other than 2xx, or failed (both counted, never in the latencies). */
  failed: number;
  /** Every measured latency (due time to last byte), ms, sorted: runs can be pooled. */
  samples: number[];
  /** Latency from the due time to the last byte of the answer, ms. */
  latency: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  /** Latency from the write to the last byte (what a closed-loop client would report), ms. */
  service: { p50: number; p99: number; max: number };
  /** How late the generator wrote requests after their due time, ms. */
  lateness: { p50: number; p99: number; max: number };
  /** Achieved rate over the measured period, answered requests/s. */
  achieved: number;
  connections: number;
  /** The most requests that were waiting for a free connection at once. */
  maxWaiting: number;
  /** Why requests failed, once each. */
  errors: string[];
}

interface Conn {
  socket: Socket;
  busy: boolean;
  buf: Buffer;
  /** The request on this connection: index, due and written times. */
  due: number;
  sent: number;
  index: number;
}

export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  // nearest rank, as HdrHistogram and autocannon report
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function run(url: string, rate: number, seconds: number, warmup: number, body: string): Promise<OpenLoopResult> {
  const u = new URL(url);
  const request = Buffer.from(
    `POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`,
  );
  const total = Math.round((warmup + seconds) * rate);
  const first = Math.round(warmup * rate); // requests before this index are the warm-up
  const measured = total - first;
  const latency = new Float64Array(measured).fill(NaN);
  const service = new Float64Array(measured).fill(NaN);
  const lateness = new Float64Array(measured).fill(NaN);
  const interval = 1000 / rate;
  const conns: Conn[] = [];
  const idle: Conn[] = [];
  const waiting: number[] = []; // indexes due while every connection was busy
  let failed = 0;
  let answered = 0;
  let done = 0;
  let next = 0;
  let start = 0;
  let lastAnswer = 0;
  let maxWaiting = 0;
  let closing = false;
  const errors = new Set<string>();

  return new Promise((resolve) => {
    process.on('exit', (code) => {
      if (done < total) process.stderr.write(`open-loop client: exited (${code}) with ${total - done} of ${total} requests unanswered, ${waiting.length} waiting for a connection, ${idle.length} of ${conns.length} connections idle\n`);
    });
    const finish = (): void => {
      closing = true;
      for (const c of conns) c.socket.destroy();
      const sort = (a: Float64Array): Float64Array => a.filter((v) => !Number.isNaN(v)).sort();
      const l = sort(latency);
      const s = sort(service);
      const late = sort(lateness);
      const firstDue = start + first * interval;
      resolve({
        rate,
        requests: measured,
        answered,
        failed,
        samples: Array.from(l, (v) => Math.round(v * 1000) / 1000),
        latency: {
          p50: percentile(l, 0.5), p90: percentile(l, 0.9), p99: percentile(l, 0.99), p999: percentile(l, 0.999),
          max: l[l.length - 1] ?? NaN, mean: l.reduce((a, b) => a + b, 0) / l.length,
        },
        service: { p50: percentile(s, 0.5), p99: percentile(s, 0.99), max: s[s.length - 1] ?? NaN },
        lateness: { p50: percentile(late, 0.5), p99: percentile(late, 0.99), max: late[late.length - 1] ?? NaN },
        achieved: l.length / ((lastAnswer - firstDue) / 1000),
        connections: conns.length,
        maxWaiting,
        errors: [...errors],
      });
    };

    const settle = (c: Conn, ok: boolean, next: Conn = c): void => {
      const now = performance.now();
      const i = c.index - first;
      if (ok) answered++;
      if (i >= 0) {
        if (ok) {
          latency[i] = now - c.due;
          service[i] = now - c.sent;
          lastAnswer = now;
        } else failed++;
      }
      c.busy = false;
      done++;
      if (done === total) return finish();
      const w = waiting.shift();
      if (w !== undefined) send(next, w);
      else idle.push(next);
    };

    /** Where the answer at the start of buf ends, or -1 while it is incomplete. */
    const answerEnd = (buf: Buffer, head: string, bodyStart: number): number => {
      const m = /content-length:\s*(\d+)/i.exec(head);
      if (m !== null) return buf.length >= bodyStart + Number(m[1]) ? bodyStart + Number(m[1]) : -1;
      if (!/transfer-encoding:\s*chunked/i.test(head)) return Infinity; // read until the server closes (a 408, a 503 on the way out)
      let at = bodyStart;
      for (;;) {
        const eol = buf.indexOf('\r\n', at);
        if (eol < 0) return -1;
        const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
        const next = eol + 2 + size + 2; // no trailers: our servers send none
        if (buf.length < next) return -1;
        if (size === 0) return next;
        at = next;
      }
    };

    const onData = (c: Conn, chunk: Buffer): void => {
      c.buf = c.buf.length === 0 ? chunk : Buffer.concat([c.buf, chunk]);
      const headEnd = c.buf.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = c.buf.subarray(0, headEnd).toString('latin1');
      const end = answerEnd(c.buf, head, headEnd + 4);
      if (end < 0) return;
      const status = Number(head.slice(9, 12));
      if (end === Infinity) return lost(c, `HTTP ${status} without a length`);
      c.buf = c.buf.subarray(end);
      settle(c, status >= 200 && status < 300);
    };

    const open = (): Conn => {
      const socket = connect(Number(u.port), u.hostname);
      socket.setNoDelay(true);
      const c: Conn = { socket, busy: false, buf: Buffer.alloc(0), due: 0, sent: 0, index: -1 };
      socket.on('data', (d: Buffer) => onData(c, d));
      socket.on('error', (e) => { errors.add(e.message); });
      socket.on('close', () => lost(c, 'connection closed'));
      conns.push(c);
      return c;
    };

    // The server closed a connection (keep-alive timeout, 408, an error): a request on it
    // failed; the connection is replaced so the pool keeps its size.
    const lost = (c: Conn, why: string): void => {
      if (c.socket.destroyed === false) c.socket.destroy();
      const at = conns.indexOf(c);
      if (at < 0 || closing) return;
      conns.splice(at, 1);
      const i = idle.indexOf(c);
      if (i >= 0) idle.splice(i, 1);
      const fresh = open();
      if (c.busy) {
        errors.add(why);
        settle(c, false, fresh);
      } else idle.push(fresh);
    };

    const send = (c: Conn, index: number): void => {
      c.busy = true;
      c.index = index;
      c.due = start + index * interval;
      c.sent = performance.now();
      if (index >= first) lateness[index - first] = c.sent - c.due;
      c.socket.write(request);
    };

    const tick = (): void => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        const c = idle.shift(); // the longest idle first: every connection stays in use
        if (c === undefined) maxWaiting = Math.max(maxWaiting, waiting.push(next));
        else send(c, next);
        next++;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };

    for (let i = 0; i < CONNECTIONS; i++) idle.push(open());
    // Start once every connection is up, so connecting is not in the figures.
    let connected = 0;
    for (const c of conns) {
      c.socket.once('connect', () => {
        if (++connected === CONNECTIONS) {
          start = performance.now();
          tick();
        }
      });
    }
  });
}

if (process.argv[1] !== undefined && /openLoop\.[tj]s$/.test(process.argv[1])) {
  const [url, rate, seconds, warmup, body] = process.argv.slice(2);
  if (url === undefined || body === undefined) {
    process.stderr.write('usage: node --import tsx bench/openLoop.ts URL RATE SECONDS WARMUP_SECONDS BODY_JSON\n');
    process.exit(2);
  }
  const r = await run(url, Number(rate), Number(seconds), Number(warmup), body);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}

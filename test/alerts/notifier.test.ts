// Alert notifications against a real local HTTP server (port 0) and a real shell command:
// delivered once per open/resolve, retried on 500s, dead-lettered after the last retry, rate
// limited, and ingest and analytics go on while the endpoint hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { openDb, type Db } from '../../store/db.js';
import { listEpisodes, notificationsByStatus } from '../../store/alertEpisodes.js';
import { AlertBook, type AlertEvent } from '../../src/alerts/episodes.js';
import { Notifier, type NotifySettings } from '../../src/alerts/notifier.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { Engine } from '../../src/engine/engine.js';
import { tempDir, predictionLine } from '../helpers/tmp.js';

const DAY = 86_400_000;
const day = (d: number): number => Date.UTC(2001, 1, 1) + d * DAY + 3_600_000;

interface Hit { at: number; body: AlertEvent }

async function server(handler: (req: IncomingMessage, res: ServerResponse, hits: Hit[]) => void): Promise<{ url: string; hits: Hit[]; close: () => Promise<void>; srv: Server }> {
  const hits: Hit[] = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      hits.push({ at: Date.now(), body: JSON.parse(body) as AlertEvent });
      handler(req, res, hits);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`, hits, srv,
    close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }),
  };
}

const settings = (over: Partial<NotifySettings>): NotifySettings => ({
  command: null, webhook: null, retries: 3, backoffMs: 20, timeoutMs: 2000, perMinute: 100, pollMs: 10, ...over,
});

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function book(db: Db, targets: Array<'webhook' | 'command'>): AlertBook {
  return new AlertBook(db, { windowMs: DAY, resolveAfterWindows: 1, featureWindows: 2, targets });
}

test('the webhook receives each page episode once when it opens and once when it resolves', async () => {
  const s = await server((_req, res) => res.end('ok'));
  const db = openDb(join(tempDir(), 'm.db'));
  const b = book(db, ['webhook']);
  const n = new Notifier(db, settings({ webhook: s.url }));
  n.start();
  b.raise('dataset-drift', 'm@1', 'page', '3 of 5 features drifted', day(0));
  b.raise('dataset-drift', 'm@1', 'page', 'still drifting', day(0) + 5000); // an update: no new event
  b.raise('error-rate', 'm@1', 'info', 'adwin fired', day(0)); // info: never sent
  await until(() => s.hits.length === 1, 'the open event');
  b.advance(day(3));
  await until(() => s.hits.length === 2, 'the resolve event');
  await new Promise((r) => setTimeout(r, 200)); // and nothing else arrives
  assert.deepEqual(s.hits.map((h) => [h.body.event, h.body.kind, h.body.severity]), [['open', 'dataset-drift', 'page'], ['resolve', 'dataset-drift', 'page']]);
  assert.equal(s.hits[1].body.state, 'resolved');
  assert.ok(s.hits[1].body.resolvedAt);
  assert.equal(notificationsByStatus(db, 'sent', 10).length, 2);
  await n.stop();
  await s.close();
  db.close();
});

test('a 500 is retried with backoff until it is delivered; after the last retry it is a dead letter', async () => {
  let fail = 2;
  const s = await server((_req, res) => { res.statusCode = fail-- > 0 ? 500 : 200; res.end(); });
  const db = openDb(join(tempDir(), 'm.db'));
  const b = book(db, ['webhook']);
  const n = new Notifier(db, settings({ webhook: s.url, retries: 3, backoffMs: 50 }));
  n.start();
  b.raise('calibration', 'm@1', 'page', 'outcomes worse than expected', day(0));
  await until(() => notificationsByStatus(db, 'sent', 10).length === 1, 'delivery after two 500s');
  assert.equal(s.hits.length, 3);
  // Exponential backoff: the gaps are at least 50 ms, then 100 ms.
  assert.ok(s.hits[1].at - s.hits[0].at >= 45 && s.hits[2].at - s.hits[1].at >= 95, s.hits.map((h) => h.at).join(' '));
  assert.equal(notificationsByStatus(db, 'sent', 10)[0].attempts, 3);

  fail = 1000;
  b.raise('dataset-drift', 'm@1', 'page', 'drifted', day(0));
  await until(() => notificationsByStatus(db, 'dead', 10).length === 1, 'the dead letter');
  const dead = notificationsByStatus(db, 'dead', 10)[0];
  assert.equal(dead.attempts, 4); // the first attempt and 3 retries
  assert.match(dead.lastError ?? '', /webhook answered 500/);
  assert.equal(s.hits.length, 3 + 4);
  await n.stop();
  await s.close();
  db.close();
});

test('the command target gets the event JSON on stdin; at most perMinute deliveries start per minute', async () => {
  const dir = tempDir();
  const db = openDb(join(dir, 'm.db'));
  const b = book(db, ['command']);
  const out = join(dir, 'events.jsonl');
  const n = new Notifier(db, settings({ command: `cat >> ${out}`, perMinute: 2 }));
  n.start();
  for (const subject of ['a@1', 'b@1', 'c@1']) b.raise('calibration', subject, 'page', `worse than ${subject} expects`, day(0));
  await until(() => notificationsByStatus(db, 'sent', 10).length === 2, 'two deliveries');
  await new Promise((r) => setTimeout(r, 300));
  // The third waits for the next minute, in the outbox.
  assert.equal(notificationsByStatus(db, 'sent', 10).length, 2);
  assert.equal(notificationsByStatus(db, 'pending', 10).length, 1);
  const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AlertEvent);
  assert.deepEqual(lines.map((l) => l.subject).sort(), ['a@1', 'b@1']);
  assert.equal(lines[0].event, 'open');
  await n.stop();
  db.close();
});

test('ingest and analytics are unaffected while the webhook hangs', async () => {
  const hung: ServerResponse[] = [];
  const s = await server((_req, res) => { hung.push(res); }); // never answers
  const dir = tempDir();
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const config = structuredClone(DEFAULT_CONFIG);
  config.db = join(dir, 'mlops.db');
  config.watch = logs;
  config.ingest.pollMs = 20;
  config.alerts.notify = { ...config.alerts.notify, webhook: s.url, timeoutMs: 60_000, retries: 1 };
  // A page alert waiting in the outbox before the engine starts.
  const seed = openDb(config.db);
  book(seed, ['webhook']).raise('dataset-drift', 'm@1', 'page', 'drifted', day(0));
  seed.close();
  const engine = new Engine({ config, ingest: true });
  await engine.start();
  try {
    await until(() => s.hits.length === 1, 'the webhook request to hang');
    for (let f = 0; f < 3; f++) {
      writeFileSync(join(logs, `p-${f}.jsonl`), `${Array.from({ length: 2000 }, (_, i) => predictionLine(f * 2000 + i)).join('\n')}\n`);
      await engine.caughtUp();
      assert.equal(engine.current()!.ingest.predictions, (f + 1) * 2000);
    }
    assert.equal(hung.length, 1, 'the request is still hanging');
    assert.equal(engine.current()!.openPages, 1);
    assert.ok(existsSync(config.db));
  } finally {
    for (const r of hung) r.destroy();
    await engine.stop();
    await s.close();
  }
  const db = openDb(config.db);
  assert.equal(listEpisodes(db, { all: true, limit: 10 }).length, 1);
  db.close();
});

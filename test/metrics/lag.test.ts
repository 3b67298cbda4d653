/**
 * Ingest lag on `--metrics` (issue 14's "ingest rate, lag"), scraped from the real endpoint.
 * Lag is made real by holding the store's write lock from this process, as a long backup or
 * another writer would: commits wait, so what was written stays behind.
 * - `ingest` over local files: the bytes written to the watched files and not committed, exactly
 *   the bytes appended while the lock is held, back to 0 once it is released.
 * - `ingest --from nats`: the durable consumer's messages not acknowledged (exactly the lines
 *   shipped while the lock is held) and the age of the oldest of them, growing while it waits;
 *   both back to 0 once the lines are committed and acknowledged.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDb } from '../../store/db.js';
import { predictionLine, tempDir } from '../helpers/tmp.js';
import { natsServerBinary, NO_NATS } from '../helpers/nats.js';
import { startCli, startShippingNode } from '../helpers/fleet.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function metric(text: string, name: string): number | null {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

async function scrapeUntil(url: string, ok: (text: string) => boolean, what: string, ms = 60_000): Promise<string> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      last = await (await fetch(url)).text();
      if (ok(last)) return last;
    } catch {
      // not listening yet, or busy committing
    }
    if (Date.now() > end) throw new Error(`metrics never showed ${what}; last scrape:\n${last}`);
    await sleep(200);
  }
}

function metricsUrl(proc: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const look = (): void => {
      const m = /metrics on (http:\/\/\S+\/metrics)/.exec(stderr());
      if (m) resolve(m[1]);
    };
    proc.stderr!.on('data', look);
    look();
    proc.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr()}`)));
  });
}

/** Holds the database's write lock (BEGIN IMMEDIATE) until released. */
function holdWriteLock(dbPath: string): () => void {
  const db = new Database(dbPath);
  db.exec('BEGIN IMMEDIATE');
  return () => { db.exec('ROLLBACK'); db.close(); };
}

test('ingest --metrics: the bytes of the watched files not ingested yet, exactly, then 0', { timeout: 120_000 }, async () => {
  const dir = tempDir('mlops-metrics-lag-');
  const watch = join(dir, 'predictions');
  mkdirSync(watch);
  const dbPath = join(dir, 'm.db');
  const log = join(watch, 'serve.jsonl');
  writeFileSync(log, `${Array.from({ length: 200 }, (_, i) => predictionLine(i)).join('\n')}\n`);
  const child = spawn(process.execPath, [BIN, '--db', dbPath, '--watch', watch, 'ingest', '--metrics', '0'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => { err += d; });
  after(() => child.kill('SIGKILL'));
  const url = await metricsUrl(child, () => err);
  await scrapeUntil(url, (t) => metric(t, 'mlops_ingest_predictions') === 200 && metric(t, 'mlops_ingest_lag_bytes') === 0, 'the first 200 lines in, lag 0');

  const release = holdWriteLock(dbPath);
  const before = statSync(log).size;
  const more = `${Array.from({ length: 150 }, (_, i) => predictionLine(200 + i)).join('\n')}\n`;
  appendFileSync(log, more);
  const second = join(watch, 'serve-2.jsonl');
  writeFileSync(second, `${predictionLine(999)}\n`);
  const behind = Buffer.byteLength(more) + statSync(second).size;
  assert.equal(statSync(log).size - before, Buffer.byteLength(more));
  await scrapeUntil(url, (t) => metric(t, 'mlops_ingest_lag_bytes') === behind, `lag ${behind} bytes while the lock is held`);
  release();
  const done = await scrapeUntil(url, (t) => metric(t, 'mlops_ingest_lag_bytes') === 0, 'lag back to 0 once committed');
  assert.equal(metric(done, 'mlops_ingest_predictions'), 351);
  child.kill('SIGTERM');
});

const noNats = natsServerBinary() === null ? NO_NATS : false;

test('ingest --from --metrics: the consumer\'s unacknowledged messages and the age of the oldest, then 0', { skip: noNats, timeout: 180_000 }, async () => {
  const dir = tempDir('mlops-metrics-natslag-');
  const { nats, log, ship, storeDb } = await startShippingNode(dir, { lines: 50 });
  const ingest = startCli(dir, ['ingest', '--from', nats.urls, '--db', storeDb, '--metrics', '0']);
  const url = await metricsUrl(ingest.proc, ingest.stderr);
  const first = log.predictions.length + log.labels.length + log.bad;
  await scrapeUntil(url, (t) => metric(t, 'mlops_ingest_predictions') === log.predictions.length && metric(t, 'mlops_ingest_nats_pending_messages') === 0
    && metric(t, 'mlops_ingest_nats_oldest_unacked_seconds') === 0, `the first ${first} lines acknowledged, nothing pending`);

  openDb(storeDb).close();
  const release = holdWriteLock(storeDb);
  log.write(100);
  const shipped = log.predictions.length + log.labels.length + log.bad - first;
  const waiting = await scrapeUntil(url, (t) => metric(t, 'mlops_ingest_nats_pending_messages') === shipped && (metric(t, 'mlops_ingest_nats_oldest_unacked_seconds') ?? 0) > 0,
    `${shipped} messages pending while the store is locked`);
  const age1 = metric(waiting, 'mlops_ingest_nats_oldest_unacked_seconds')!;
  await scrapeUntil(url, (t) => (metric(t, 'mlops_ingest_nats_oldest_unacked_seconds') ?? 0) >= age1 + 2, 'the oldest message getting older while it waits');
  release();
  const done = await scrapeUntil(url, (t) => metric(t, 'mlops_ingest_nats_pending_messages') === 0 && metric(t, 'mlops_ingest_nats_oldest_unacked_seconds') === 0, 'nothing pending once committed');
  assert.equal(metric(done, 'mlops_ingest_predictions'), log.predictions.length);
  ship.proc.kill('SIGTERM');
  ingest.proc.kill('SIGTERM');
  await Promise.all([ship.exited, ingest.exited]);
});

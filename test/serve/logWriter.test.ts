/**
 * The serving log's batched writer (src/serve/logWriter.ts) on real files: order kept, a write
 * that fails is retried with nothing lost or reordered, a log renamed away (logrotate) is
 * followed by name within a second, and close() writes everything queued.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { LogWriter } from '../../src/serve/logWriter.js';
import { tempDir } from '../helpers/tmp.js';

const read = (p: string): string[] => readFileSync(p, 'utf8').split('\n').filter(Boolean);

async function until(ok: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('lines from many appends land in order; close() writes what is queued', async () => {
  const path = join(tempDir(), 'a.jsonl');
  const w = new LogWriter();
  for (let i = 0; i < 1000; i++) await w.append(path, [`p${i}-a`, `p${i}-b`]);
  await w.close();
  const lines = read(path);
  assert.equal(lines.length, 2000);
  assert.deepEqual(lines.slice(0, 4), ['p0-a', 'p0-b', 'p1-a', 'p1-b']);
  assert.equal(lines[1999], 'p999-b');
  assert.equal(w.written, 2000);
  assert.equal(w.depth, 0);
  await assert.rejects(w.append(path, ['late']), /closed/);
});

test('a failing write is retried: nothing lost, order kept', async () => {
  const dir = join(tempDir(), 'later');
  const path = join(dir, 'a.jsonl');
  const errors: string[] = [];
  const w = new LogWriter({ onError: (e) => errors.push(e.message) });
  await w.append(path, ['1', '2']);
  await until(() => errors.length >= 1, 'the first write to fail');
  assert.match(errors[0], /ENOENT/);
  assert.equal(w.depth, 2, 'the lines are still queued');
  await w.append(path, ['3']);
  mkdirSync(dir);
  // The retry comes a second after the failure.
  await until(() => existsSync(path) && read(path).length === 3, 'the retried write');
  assert.deepEqual(read(path), ['1', '2', '3']);
  await w.close();
});

test('a log renamed away is followed by name within a second', async () => {
  const dir = tempDir();
  const path = join(dir, 'serve.jsonl');
  const w = new LogWriter();
  await w.append(path, ['before']);
  await w.flush();
  renameSync(path, join(dir, 'serve.jsonl.1'));
  await new Promise((r) => setTimeout(r, 1100));
  await w.append(path, ['after']);
  await w.close();
  assert.ok(existsSync(path), 'a new file by the name');
  assert.deepEqual(read(path), ['after']);
  assert.deepEqual(read(join(dir, 'serve.jsonl.1')), ['before']);
});

test('lines wait for their batch window (one write for many requests); flush() and close() do not wait for it', async () => {
  const path = join(tempDir(), 'w.jsonl');
  const w = new LogWriter({ batchMs: 60_000 });
  for (let i = 0; i < 50; i++) w.push(path, [`r${i}`]);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(w.written, 0, 'still inside the window');
  assert.equal(w.depth, 50);
  await w.flush();
  assert.equal(w.written, 50);
  w.push(path, ['last']);
  await w.close(); // the window's timer is unref'd: close() writes at once and nothing keeps the process
  assert.deepEqual(read(path), [...Array.from({ length: 50 }, (_, i) => `r${i}`), 'last']);
});

test('room() holds callers back while the queue is full and a write is in flight', async () => {
  const path = join(tempDir(), 'r.jsonl');
  const w = new LogWriter({ maxQueuedLines: 10, batchMs: 60_000 });
  for (let i = 0; i < 9; i++) w.push(path, [`x${i}`]);
  assert.equal(w.room(), null, 'room below the limit');
  w.push(path, ['x9']);
  assert.equal(w.room(), null, 'full, but nothing in flight to wait for: the window timer will write');
  const flushed = w.flush(); // the write is now in flight and the lines still count as queued
  const wait = w.room();
  assert.ok(wait instanceof Promise, 'full with a write in flight: wait');
  await wait;
  assert.equal(w.depth, 0);
  assert.equal(w.room(), null);
  await flushed;
  await w.close();
  assert.equal(read(path).length, 10);
});

/**
 * Fault 6 of issue 13, headless failures, against the real CLI. Fault run: `ingest` exited 13
 * with no message when its directory was deleted; `ingest --once` stopped at the first
 * unreadable file (exit 1, later files unread: 1 of 3 files read); `status` printed ESC, BEL
 * and C1 bytes from the logs to the terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { predictionLine, tempDir } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));

const cli = (cwd: string, args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });

test('ingest whose watched directory is deleted says so in one sentence and exits 1', async () => {
  const root = tempDir();
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.jsonl'), `${predictionLine(1)}\n`);
  const child = spawn(process.execPath, [BIN, 'ingest', '--watch', dir, '--db', join(root, 'm.db')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const start = Date.now();
  while (!err.includes('watching')) {
    if (Date.now() - start > 30_000) throw new Error(`no start: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  rmSync(dir, { recursive: true });
  const code = await exited;
  assert.equal(code, 1, `fault run: exit 13 with no message; stderr: ${err}`);
  const last = err.trim().split('\n').at(-1)!;
  assert.match(last, new RegExp(`^mlops-tui: the watched directory ${dir} does not exist; stopping after 1 predictions`));

  const missing = cli(root, ['ingest', '--once', '--watch', join(root, 'nope'), '--db', join(root, 'm.db')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^mlops-tui: the watched directory .*nope does not exist: create it or pass --watch\n$/);
});

test('ingest --once skips an unreadable file with a message, reads the others and exits 1', () => {
  const root = tempDir();
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.jsonl'), `${predictionLine(1)}\n`);
  // Root reads any file whatever its mode: a directory with a log's name is unreadable for everyone.
  mkdirSync(join(dir, 'b.jsonl'));
  writeFileSync(join(dir, 'c.jsonl'), `${predictionLine(2)}\n${predictionLine(3)}\n`);
  const r = cli(root, ['ingest', '--once', '--watch', dir, '--db', join(root, 'm.db')]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`skipped ${join(dir, 'b.jsonl')}: it is a directory`));
  assert.match(r.stderr, /ingested 3 predictions, 0 labels, 0 quarantined, 0 duplicates in [\d.]+ s from .*; 1 file\(s\) skipped/);
});

test('status text strips ESC, BEL and C1 bytes that came from the logs', () => {
  const root = tempDir();
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  const evil = '\u001b]0;owned\u0007\u001b[2J\u009b31m';
  writeFileSync(join(dir, 'a.jsonl'), [
    JSON.stringify({ ts: 981158400000, id: 'r-1', model: `m${evil}`, version: 1, features: { [`f${evil}`]: 1 }, prediction: 1 }),
    JSON.stringify({ ts: 981158400000, id: 'r-2', model: 'm', version: 1, features: { [`g${evil}`]: {} }, prediction: 1 }),
    '',
  ].join('\n'));
  const db = join(root, 'm.db');
  assert.equal(cli(root, ['ingest', '--once', '--quiet', '--watch', dir, '--db', db]).status, 0);
  const r = cli(root, ['status', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /m@1 {2}1 predictions/);
  assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, 'fault run: ESC, BEL and C1 reached the terminal');
  // --json stays exact: JSON escapes them, and scripts get the real names.
  const j = cli(root, ['status', '--json', '--db', db]);
  assert.ok((JSON.parse(j.stdout) as { schema: Array<{ name: string }> }).schema.some((f) => f.name === `f${evil}`));
});

/*
 * `serve --host 0.0.0.0` bound every interface without a word and without authentication
 * (fault run). Now a non-loopback address needs --allow-remote and a token, and every request
 * then carries it as a bearer token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tinyRegistry } from '../helpers/tinyRegistry.js';
import { tempDir } from '../helpers/tmp.js';
import { isLoopback } from '../../src/serve/access.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');
const TOKEN = 'k3y-0123456789abcdef-xyz';

test('loopback addresses are told apart from the rest', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.ok(isLoopback(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com']) assert.ok(!isLoopback(h), h);
});

test('serve refuses a non-loopback address without --allow-remote, and --allow-remote without a token', () => {
  const dir = tempDir();
  const db = join(dir, 'none.db');
  const env = { ...process.env, MLOPS_TUI_TOKEN: '' };
  const a = spawnSync(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--db', db], { encoding: 'utf8', env });
  assert.equal(a.status, 2);
  assert.match(a.stderr, /--host 0\.0\.0\.0 would accept requests from other machines; serve binds loopback only unless you pass --allow-remote with a token/);
  assert.equal(a.stderr.trim().split('\n').length, 1);
  const b = spawnSync(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--allow-remote', '--port', '0', '--db', db], { encoding: 'utf8', env });
  assert.equal(b.status, 2);
  assert.match(b.stderr, /--allow-remote needs a token/);
  writeFileSync(join(dir, 'short'), 'abc\n');
  const c = spawnSync(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--allow-remote', '--token-file', join(dir, 'short'), '--port', '0', '--db', db], { encoding: 'utf8', env });
  assert.equal(c.status, 2);
  assert.match(c.stderr, /at least 16 characters/);
});

test('with --allow-remote and a token, requests without the bearer token get 401, with it 200', async () => {
  const { dbPath } = await tinyRegistry();
  const dir = tempDir();
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--allow-remote', '--token-file', tokenFile, '--port', '0', '--db', dbPath, '--out', join(dir, 'p')], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        const m = /serving on http:\/\/[^:]+:(\d+)/.exec(err);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      child.once('exit', () => reject(new Error(err)));
    });
    const features = { hour: 18, dow: 'Fri', distance: 405, origin: 'MCI', destination: 'MDW' };
    const none = await fetch(`${url}/predict`, { method: 'POST', body: JSON.stringify({ features }) });
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const wrong = await fetch(`${url}/health`, { headers: { authorization: 'Bearer wrong-token-0123456789' } });
    assert.equal(wrong.status, 401);
    const ok = await fetch(`${url}/predict`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ features }) });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { model: string }).model, 'logreg');
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
  }
});

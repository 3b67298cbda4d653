/**
 * Without a terminal the console commands refuse before doing any work: one sentence that
 * points to `status --json`, a non-zero exit, and (for the demo) nothing trained, no replay
 * started, not even its directory created. Cron jobs and pipes must never train models or
 * leave a replay writing logs behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/tmp.js';
import { skipWithoutTmux, startTmux } from '../helpers/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));

interface Outcome { code: number | null; stdout: string; stderr: string; ms: number }

function runPiped(args: string[], cwd: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('error', reject);
    // A console that did open would wait for keys forever; the timer turns that into a failure.
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function assertRefusal(o: Outcome): void {
  assert.notEqual(o.code, 0, `exit code ${o.code}`);
  assert.notEqual(o.code, null, 'killed: the console did not refuse by itself');
  assert.equal(o.stdout, '', 'nothing on stdout (a script reading it must not get a screen)');
  const text = o.stderr.trim();
  assert.match(text, /status --json/);
  assert.equal(text.split('\n').length, 1, `one line on stderr, got:\n${o.stderr}`);
  // One sentence: a single full stop, at the end.
  assert.equal(text.replace(/`[^`]*`/g, '').split(/[.!?](\s|$)/).filter((s) => s && s.trim()).length, 1, `one sentence, got: ${text}`);
  assert.doesNotMatch(o.stderr, /\u001b/, 'no escape sequences written to a pipe');
}

test('the console refuses without a terminal and points to status --json', async () => {
  const dir = tempDir('mlops-notty-');
  const o = await runPiped(['--db', join(dir, 'm.db'), '--watch', join(dir, 'predictions')], dir);
  assertRefusal(o);
  assert.deepEqual(readdirSync(dir), [], 'refused before opening the database or the watched directory');
});

test('`console` spelled out refuses the same way', async () => {
  const dir = tempDir('mlops-notty-');
  assertRefusal(await runPiped(['console', '--db', join(dir, 'm.db')], dir));
});

test('the demo refuses before training anything', async () => {
  const dir = tempDir('mlops-notty-');
  const demo = join(dir, 'demo');
  const o = await runPiped(['demo', '--dir', demo, '--rate', '2000'], dir);
  assertRefusal(o);
  assert.doesNotMatch(o.stderr, /training|registered|epoch/i);
  assert.equal(existsSync(demo), false, 'the demo directory was not even created');
  assert.deepEqual(readdirSync(dir), []);
  // Training the two demo models takes ~15 s; a refusal is a process start and nothing more.
  assert.ok(o.ms < 10_000, `took ${o.ms} ms`);
});

// The common slip on a real terminal: the keyboard is there but the output goes to a file.
test('on a terminal with stdout redirected the console still refuses', async (t) => {
  if (skipWithoutTmux(t)) return;
  const dir = tempDir('mlops-notty-');
  const s = startTmux({ cols: 200, rows: 20, cwd: dir });
  t.after(() => s.kill());
  s.run(`node ${BIN} --db ${join(dir, 'm.db')} > ${join(dir, 'out.txt')}`);
  const code = await s.exitCode(30_000);
  assert.notEqual(code, 0);
  assert.match(s.joinedLines().join('\n'), /status --json/);
  assert.equal(s.display('#{alternate_on}'), '0');
  assert.equal(existsSync(join(dir, 'm.db')), false);
});

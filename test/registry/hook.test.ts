import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { runHook, type SwitchEvent } from '../../src/registry/hook.js';
import { syntheticStore } from './storeFixture.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');
const EVENT: SwitchEvent = { action: 'promote', before: 'a@1', after: 'b@1', at: new Date(0).toISOString(), operator: 'alice', client: null, routing: null, gate: null };

/* A hook that leaves a child in its own session holding the hook's stdout: the process-group
 * kill cannot reach it, and waiting for the pipes to close waited for it (46 s in the fault run). */
function leaveChild(pidFile: string, seconds: number): string {
  return `setsid sh -c 'echo $$ > "${pidFile}"; sleep ${seconds}; touch "${pidFile}.done"' & sleep ${seconds}`;
}

/* The child touches <pidFile>.done after its sleep, before it exits and its end of the pipe
 * closes: a result that waited for the pipe always finds the file. */
const stillRunning = (pidFile: string): boolean => !existsSync(`${pidFile}.done`);
const stop = (pid: number): void => {
  try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
};

function grandchild(pidFile: string): number {
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return pid;
}

test('a hook that times out and leaves a child holding stdout returns without waiting for that child', async () => {
  const dir = tempDir();
  const pidFile = join(dir, 'child.pid');
  const r = await runHook(leaveChild(pidFile, 20), EVENT, 300);
  assert.equal(r.timedOut, true);
  assert.equal(r.ok, false);
  assert.match(r.message, /timed out after 300 ms/);
  // Before the fix the promise settled only when this child exited (after 20 s).
  assert.ok(stillRunning(pidFile), 'the result came while the child holding stdout still ran');
  stop(grandchild(pidFile));
});

test('a hook that exits 0 and leaves a daemon behind has run, and its output is kept', async () => {
  const dir = tempDir();
  const pidFile = join(dir, 'child.pid');
  const r = await runHook(`echo started; setsid sh -c 'echo $$ > "${pidFile}"; exec sleep 20' &`, EVENT, 5000);
  assert.equal(r.ok, true, r.message);
  assert.equal(r.timedOut, false);
  assert.match(r.output, /started/);
  while (!existsSync(pidFile)) await new Promise((res) => setTimeout(res, 20));
  stop(grandchild(pidFile));
});

test('promote (the CLI) ends after "timed out" while the hook\'s child still holds stdout', async () => {
  const dir = tempDir();
  const pidFile = join(dir, 'child.pid');
  const db = syntheticStore(join(dir, 'mlops.db'), [{ name: 'old', noise: 1.5, alias: 'active' }, { name: 'new', noise: 0.3, alias: 'shadow' }], { rows: 16000, seed: 4 });
  db.close();
  writeFileSync(join(dir, 'mlops.config.json'), JSON.stringify({
    db: join(dir, 'mlops.db'), gate: { condition: 'n - o > 0.01 +/- 0.05', evaluations: 4, heldOutShare: 0.5 },
    on_switch: leaveChild(pidFile, 30),
  }));
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, 'promote', 'new@1', '--yes'], { cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /promoted/);
  assert.match(run.stderr, /on_switch hook timed out after 10000 ms/);
  // The fault run: promote blocked 46 s after the time limit, until this child ended.
  assert.ok(stillRunning(pidFile), 'promote exited while the 30 s child still ran');
  stop(grandchild(pidFile));
});

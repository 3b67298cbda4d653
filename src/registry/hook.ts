/**
 * The `on_switch` hook: a shell command run after the registry has switched, with the event
 * as JSON on stdin. The switch has already committed, so a failing, hanging or missing hook
 * is reported to the operator and never undoes or blocks it: the command runs in its own
 * process group and the whole group is killed at the time limit.
 *
 * The result does not wait for the hook's stdout/stderr pipes to close: a hook may leave a
 * child holding them (`setsid daemon &`, which the group kill cannot reach), and a promote
 * blocked 46 s on one. We wait for the hook process itself, then drain its pipes for a
 * moment and close our ends.
 */
import { spawn } from 'node:child_process';

export interface SwitchEvent {
  action: string;
  before: string | null;
  after: string;
  at: string;
  operator: string;
  client: string | null;
  routing: { active: string | null; shadows: string[] } | null;
  gate: unknown;
}

export interface HookResult {
  ok: boolean;
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  /** the last few KB of stdout and stderr */
  output: string;
  message: string;
}

const KEEP = 4096;
/** After the hook has exited, how long its pipes may keep delivering output. */
const DRAIN_MS = 200;
/** After SIGTERM at the time limit, how long before SIGKILL and giving up on the hook. */
const KILL_GRACE_MS = 1000;

/** Also runs the alert notification command (src/alerts/notifier.ts) with its own `label`. */
export function runHook(command: string, event: SwitchEvent | object, timeoutMs = 10_000, label = 'on_switch hook'): Promise<HookResult> {
  return new Promise((resolve) => {
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-KEEP);
    };
    let child;
    try {
      child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      resolve({ ok: false, code: null, signal: null, timedOut: false, output: '', message: `${label} could not start: ${(err as Error).message}` });
      return;
    }
    let timedOut = false;
    let settled = false;
    const killGroup = (sig: NodeJS.Signals): void => {
      try { if (child.pid !== undefined) process.kill(-child.pid, sig); } catch { /* already gone */ }
    };
    let exit: { code: number | null; signal: string | null } | null = null;
    const later: NodeJS.Timeout[] = [];
    const result = (): HookResult => {
      const code = exit?.code ?? null;
      const signal = exit?.signal ?? null;
      const ok = code === 0 && !timedOut;
      const why = timedOut ? `timed out after ${timeoutMs} ms` : code !== null ? `exited with ${code}` : signal !== null ? `was killed by ${signal}` : 'did not exit';
      const tail = output.trim().split('\n').slice(-1)[0] ?? '';
      return { ok, code, signal, timedOut, output, message: ok ? `${label} ran` : `${label} ${why}${tail ? `: ${tail}` : ''}` };
    };
    const finish = (r: HookResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const t of later) clearTimeout(t);
      // Our ends of the pipes; a grandchild still holding theirs must not keep us alive.
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve(r);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      later.push(setTimeout(() => {
        killGroup('SIGKILL');
        finish(result());
      }, KILL_GRACE_MS));
    }, timeoutMs);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // A hook that never reads stdin closes the pipe; that is not its failure.
    child.stdin.on('error', () => {});
    child.stdin.end(`${JSON.stringify(event)}\n`);
    child.on('error', (err) => finish({ ok: false, code: null, signal: null, timedOut, output, message: `${label} failed to run: ${err.message}` }));
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      later.push(setTimeout(() => finish(result()), DRAIN_MS));
    });
    child.on('close', () => finish(result()));
  });
}

/**
 * Drive a real terminal for end-to-end tests: one tmux server per session on its own socket
 * (`tmux -L`), so parallel test files never see each other's panes and a test's `kill()` can
 * never touch a tmux the developer is using.
 *
 * The pane runs an interactive `sh` and commands are typed into it, like an operator would.
 * That keeps test paths out of the tmux server's own command line (a `pgrep -f DIR` after the
 * test must only find processes the command under test left behind), and when the command
 * ends the shell's normal screen (the prompt and the typed line) is what is left to inspect.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { TestContext } from 'node:test';

let seq = 0;
let available: boolean | null = null;

/** Why tmux tests cannot run here, or null when they can. */
export function tmuxMissing(): string | null {
  if (available === null) available = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
  return available ? null : 'tmux is not installed (CI installs it in .ci/run)';
}

/** Skips the test (with the reason) when tmux is missing; true when it did. */
export function skipWithoutTmux(t: TestContext): boolean {
  const why = tmuxMissing();
  if (why === null) return false;
  t.skip(why);
  return true;
}

/**
 * The environment of an operator's terminal, not of the CI job running the tests: Ink reads
 * CI / CONTINUOUS_INTEGRATION (is-in-ci) at import and then draws nothing until the app exits,
 * so under `CI=true` (.ci/run) the console would show a blank pane. The tmux server takes its
 * environment from the first tmux command, so that command gets this one.
 */
function terminalEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  return env;
}

export type ScreenTest = RegExp | ((screen: string) => boolean);

export interface TmuxOptions {
  cols: number;
  rows: number;
  cwd?: string;
  /** Extra environment for the shell in the pane (on top of this process's). */
  env?: Record<string, string>;
}

export interface Tmux {
  readonly socket: string;
  /** Keys in tmux's names (`Enter`, `Tab`, `BTab`, `Escape`, `Up`, `C-c`) or single characters. */
  sendKeys(...keys: string[]): void;
  /** Literal text, every character as typed (no key-name lookup). */
  type(text: string): void;
  /** Types `command`, then `echo EXIT=$?`, and Enter: `exitCode()` reads the sentinel later. */
  run(command: string): void;
  /** The visible pane, one string per row, trailing spaces trimmed. */
  lines(): string[];
  capture(): string;
  /**
   * The visible pane with lines the terminal wrapped joined back (`capture-pane -J`): a line
   * longer than the pane's width here is one the application wrote too wide.
   */
  joinedLines(): string[];
  /** Polls the pane until `test` holds; the error carries the last screen seen. */
  waitFor(test: ScreenTest, timeoutMs?: number, what?: string): Promise<string>;
  /** The exit code printed by the `run` sentinel, waiting for it. */
  exitCode(timeoutMs?: number): Promise<number>;
  resize(cols: number, rows: number): void;
  size(): { cols: number; rows: number };
  /** A tmux format on the pane, e.g. `#{pane_title}` or `#{alternate_on}`. */
  display(format: string): string;
  kill(): void;
}

function matches(test: ScreenTest, screen: string): boolean {
  return typeof test === 'function' ? test(screen) : test.test(screen);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a detached session of the given size running an interactive shell. */
export function startTmux(opts: TmuxOptions): Tmux {
  const socket = `mlops-e2e-${process.pid}-${++seq}`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: terminalEnv() });
  const env: Record<string, string> = { PS1: '$ ', ...(opts.env ?? {}) };
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  // -f /dev/null: no user config. status off: the pane is the whole window, so the app sees
  // exactly cols×rows. remain-on-exit: a crash of the shell leaves its last screen to read.
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', String(opts.cols), '-y', String(opts.rows),
    ...(opts.cwd ? ['-c', opts.cwd] : []), ...envArgs, 'sh',
    ';', 'set-option', '-g', 'status', 'off',
    ';', 'set-option', '-g', 'escape-time', '0',
    ';', 'set-option', '-g', 'remain-on-exit', 'on',
    ';', 'set-option', '-g', 'history-limit', '0');
  let killed = false;
  // kill-server leaves the socket file behind; remove it too, or /tmp/tmux-UID fills up.
  const socketPath = tmux('display-message', '-p', '#{socket_path}').trim();

  const capture = (join: boolean): string => tmux('capture-pane', '-p', ...(join ? ['-J'] : []), '-t', 'main');
  const self: Tmux = {
    socket,
    sendKeys: (...keys) => { for (const k of keys) tmux('send-keys', '-t', 'main', k); },
    type: (text) => { tmux('send-keys', '-t', 'main', '-l', text); },
    run(command) {
      // The sentinel is typed as `EXIT=$?`, so only the echoed line matches EXIT=<digits>.
      self.type(`${command}; echo "EXIT=$?"`);
      self.sendKeys('Enter');
    },
    lines: () => capture(false).replace(/\n$/, '').split('\n').map((l) => l.trimEnd()),
    capture: () => self.lines().join('\n'),
    joinedLines: () => capture(true).replace(/\n$/, '').split('\n').map((l) => l.trimEnd()),
    async waitFor(test, timeoutMs = 15_000, what) {
      const until = Date.now() + timeoutMs;
      let screen = '';
      for (;;) {
        screen = self.capture();
        if (matches(test, screen)) return screen;
        if (Date.now() > until) break;
        await sleep(100);
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what ?? String(test)}; the pane shows:\n${screen}`);
    },
    async exitCode(timeoutMs = 15_000) {
      const screen = await self.waitFor(/EXIT=\d+$/m, timeoutMs, 'the command to exit');
      return Number(/EXIT=(\d+)$/m.exec(screen)![1]);
    },
    resize(cols, rows) { tmux('resize-window', '-t', 'main', '-x', String(cols), '-y', String(rows)); },
    size() {
      const [cols, rows] = self.display('#{pane_width} #{pane_height}').split(' ').map(Number);
      return { cols, rows };
    },
    display: (format) => tmux('display-message', '-p', '-t', 'main', format).replace(/\n$/, ''),
    kill() {
      if (killed) return;
      killed = true;
      spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
      if (socketPath) rmSync(socketPath, { force: true });
    },
  };
  return self;
}

/** Visible width of a line in terminal cells, for the box-drawing and block characters the console uses. */
export function cells(line: string): number {
  let n = 0;
  for (const ch of line) {
    const c = ch.codePointAt(0)!;
    // East Asian wide and emoji ranges take two cells; the console draws none, but a log might.
    n += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd) ? 2 : 1;
  }
  return n;
}

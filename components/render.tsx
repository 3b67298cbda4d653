/**
 * Start the console on a real terminal: the alternate screen (so the operator's scrollback is
 * back on exit), Ink with Ctrl-C handling, and a promise that resolves when the app exits.
 * Every way out restores the screen: q, :quit, Ctrl-C, SIGINT/SIGTERM, a render error, and an
 * uncaught exception elsewhere in the process.
 */
import { render } from 'ink';
import { App, type AppProps } from './App.js';
import { NO_TTY_MESSAGE } from './terminal.js';

const ENTER_ALT = '\u001b[?1049h';
const LEAVE_ALT = '\u001b[?1049l';

export interface ConsoleIO {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** Closes the console from outside (the engine failed to start). */
  abort?: AbortSignal;
}

export { NO_TTY_MESSAGE };

/**
 * How Ink draws the console (bench/ui draws its baseline with the same). Ink's frames are
 * throttled to maxFps (leading and trailing edge): a key pressed more than 1000/maxFps ms after
 * the last frame draws at once; one pressed sooner waits for the rest of that interval.
 */
export const INK_OPTIONS = { exitOnCtrlC: true, patchConsole: true, incrementalRendering: false, maxFps: 30 } as const;

export async function renderConsole(props: AppProps, io: ConsoleIO = {}): Promise<void> {
  const stdin = io.stdin ?? process.stdin;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  if (!stdout.isTTY || !stdin.isTTY) throw new Error(NO_TTY_MESSAGE);

  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    stdout.write(LEAVE_ALT);
  };
  stdout.write(ENTER_ALT);

  let instance: ReturnType<typeof render> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    // The caller stops the engine once we resolve; the exit code still says what happened.
    process.exitCode = signal === 'SIGINT' ? 130 : 143;
    instance?.unmount();
    leave();
  };
  const onCrash = () => leave();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // The monitor runs before Node prints the error, so the trace lands on the normal screen.
  process.on('uncaughtExceptionMonitor', onCrash);
  process.on('exit', onCrash);
  try {
    instance = render(<App {...props} />, {
      stdin,
      stdout,
      stderr,
      ...INK_OPTIONS,
    });
    const close = (): void => instance?.unmount();
    if (io.abort?.aborted) close();
    io.abort?.addEventListener('abort', close, { once: true });
    await instance.waitUntilExit();
  } finally {
    instance?.cleanup();
    leave();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('uncaughtExceptionMonitor', onCrash);
    process.off('exit', onCrash);
  }
}

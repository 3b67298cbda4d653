/**
 * A terminal in memory for Ink's real render() (what `renderConsole` uses), not
 * ink-testing-library's debug mode: Ink sees a TTY, so it throttles frames to its maxFps,
 * erases and redraws through log-update, and reads keys from `readable` events, as on a
 * real terminal. Used by test/components/render.test.tsx and bench/ui.ts.
 */
import { EventEmitter } from 'node:events';

export class FakeTtyOut extends EventEmitter {
  chunks: string[] = [];
  /** Called with every chunk written, after it is recorded. */
  onWrite: ((s: string) => void) | null = null;
  constructor(public isTTY = true, public columns = 80, public rows = 24) {
    super();
  }
  write = (s: string): boolean => {
    this.chunks.push(s);
    this.onWrite?.(s);
    return true;
  };
  get text(): string {
    return this.chunks.join('');
  }
}

export class FakeTtyIn extends EventEmitter {
  private data: string | null = null;
  constructor(public isTTY = true) {
    super();
  }
  /** Types `s` as one read (Ink hands it to the app as one input). */
  write(s: string): void {
    this.data = s;
    this.emit('readable');
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface FakeTty {
  stdout: FakeTtyOut;
  stdin: FakeTtyIn;
  stderr: FakeTtyOut;
  /** The same streams typed as Node's, for renderConsole / Ink's render options. */
  as: { stdout: NodeJS.WriteStream; stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream };
}

export function fakeTty(tty = true, columns = 80, rows = 24): FakeTty {
  const stdout = new FakeTtyOut(tty, columns, rows);
  const stdin = new FakeTtyIn(tty);
  const stderr = new FakeTtyOut(tty, columns, rows);
  return { stdout, stdin, stderr, as: { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, stderr: stderr as unknown as NodeJS.WriteStream } };
}

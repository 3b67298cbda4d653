/**
 * Renders the console at a fixed size and types keys into it.
 *
 * No fixed sleeps (they made App.test.tsx fail under load): `open` waits until Ink reads the
 * keyboard (its `readable` listener is attached by useInput's effect, after the first frame),
 * `press` writes a key and yields until Ink has read it and every consequence that is not a
 * timer has run — Ink flushes a lone Esc on the next turn of the event loop (setImmediate), a
 * command's promise and React's re-render run as microtasks before that turn ends. What depends
 * on anything slower is waited for with `waitFor`, which polls a condition under a generous
 * deadline: a loaded machine makes it slower, never wrong.
 */
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../components/App.js';
import type { Snapshot } from '../../src/engine/snapshot.js';
import { makeSnapshot, recorder, source, until, type Recorder, type Source } from './fixtures.js';

export const KEY = {
  enter: '\r',
  esc: '\u001b',
  tab: '\t',
  shiftTab: '\u001b[Z',
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  left: '\u001b[D',
  backspace: '\u007f',
};

/** How long a condition may take on a machine shared by many test processes. */
export const DEADLINE_MS = 20_000;

export interface Harness {
  frame(): string;
  /** Resolves once each key is handled; true when the console read them all. */
  press(...keys: string[]): Promise<boolean>;
  type(text: string): Promise<boolean>;
  /** Polls until the frame matches (a pattern, or a predicate of the frame and the calls) and returns that frame. */
  waitFor(cond: RegExp | ((frame: string) => boolean), what?: string): Promise<string>;
  commands: Recorder;
  src: Source;
  unmount(): void;
}

/** One full turn of the event loop: pending immediates (Ink's Esc flush) and every microtask before them run. */
export const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

interface TestStdin extends NodeJS.EventEmitter { write(data: string): void; read(): string | null }

/** Ink is reading keys once its `readable` listener is on stdin (useInput's effect runs after the first commit). */
export async function untilReading(stdin: TestStdin, frame: () => string | undefined): Promise<void> {
  await until(() => (frame() ?? '').trim().length > 0 && stdin.listenerCount('readable') > 0, 'the first frame and Ink reading keys', DEADLINE_MS);
}

/**
 * Writes each key and lets it be handled; true when the console read every key
 * (ink-testing-library's stdin holds a key until it is read: a console that quit reads none).
 */
export async function pressKeys(stdin: TestStdin, keys: readonly string[]): Promise<boolean> {
  let read = true;
  for (const k of keys) {
    stdin.write(k);
    await turn();
    await turn();
    if ((stdin as unknown as { data: string | null }).data !== null) read = false;
  }
  return read;
}

export async function waitForFrame(frame: () => string, cond: RegExp | ((frame: string) => boolean), what?: string): Promise<string> {
  const ok = typeof cond === 'function' ? cond : (f: string) => cond.test(f);
  try {
    await until(() => ok(frame()), what ?? String(cond), DEADLINE_MS);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- last frame ---\n${frame()}`);
  }
  return frame();
}

export async function open(opts: { snapshot?: Snapshot | null; commands?: Recorder; readOnly?: boolean; columns?: number; rows?: number } = {}): Promise<Harness> {
  const commands = opts.commands ?? recorder();
  const src = source(opts.snapshot === undefined ? makeSnapshot() : opts.snapshot);
  const r = render(
    <App snapshots={src} commands={commands} readOnly={opts.readOnly} noColor
      size={{ columns: opts.columns ?? 80, rows: opts.rows ?? 24 }} />,
  );
  const stdin = r.stdin as unknown as TestStdin;
  await untilReading(stdin, r.lastFrame);
  const frame = () => r.lastFrame() ?? '';
  const press = (...keys: string[]) => pressKeys(stdin, keys);
  return {
    frame,
    press,
    type: (text) => press(...text.split('')),
    waitFor: (cond, what) => waitForFrame(frame, cond, what),
    commands,
    src,
    unmount: r.unmount,
  };
}

/** The line of the frame that starts with the selection marker. */
export const selectedLine = (frame: string): string => frame.split('\n').find((l) => l.startsWith('> ')) ?? '';

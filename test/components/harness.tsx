/** Renders the console at a fixed size and types keys into it, with the short pause Ink's own tests use. */
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../components/App.js';
import type { Snapshot } from '../../src/engine/snapshot.js';
import { makeSnapshot, recorder, source, tick, until, type Recorder, type Source } from './fixtures.js';

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

export interface Harness {
  frame(): string;
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  commands: Recorder;
  src: Source;
  unmount(): void;
}

export async function open(opts: { snapshot?: Snapshot | null; commands?: Recorder; readOnly?: boolean; columns?: number; rows?: number } = {}): Promise<Harness> {
  const commands = opts.commands ?? recorder();
  const src = source(opts.snapshot === undefined ? makeSnapshot() : opts.snapshot);
  const r = render(
    <App snapshots={src} commands={commands} readOnly={opts.readOnly} noColor
      size={{ columns: opts.columns ?? 80, rows: opts.rows ?? 24 }} />,
  );
  // The first frame, then Ink's input handling, must be in place before keys are typed.
  await until(() => (r.lastFrame() ?? '').trim().length > 0, 'the first frame');
  await tick(40);
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await tick(40);
    }
  };
  return {
    frame: () => r.lastFrame() ?? '',
    press,
    type: (text) => press(...text.split('')),
    commands,
    src,
    unmount: r.unmount,
  };
}

/** The line of the frame that starts with the selection marker. */
export const selectedLine = (frame: string): string => frame.split('\n').find((l) => l.startsWith('> ')) ?? '';

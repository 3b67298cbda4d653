/**
 * Keys, declared once per screen (as k9s does): the hint line, the `?` overlay and the input
 * handler all read the same list, so help cannot drift from the keys that work.
 */
import type { Key } from 'ink';

/** Normalised key names: a printable character as itself, otherwise one of these words. */
export function keyName(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pgup';
  if (key.pageDown) return 'pgdn';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input) return `ctrl-${input}`;
  // Some terminals send Shift-Tab as CSI Z, which Ink leaves as "[Z". Over SSH an arrow's
  // bytes can arrive split after its ESC; the tail still means the arrow, not text.
  if (input === '[Z') return 'shift-tab';
  const split = /^[[O]([A-D])$/.exec(input);
  if (split) return ({ A: 'up', B: 'down', C: 'right', D: 'left' } as const)[split[1] as 'A' | 'B' | 'C' | 'D'];
  return input;
}

export interface KeyBinding<C> {
  keys: string[];           // normalised names that trigger it; the first is shown
  label: string;            // short verb for the hint line and help
  dangerous?: boolean;      // changes state (registry, jobs): stripped in read-only mode
  confirms?: boolean;       // opens a confirmation before anything happens
  hint?: boolean;           // shown on the hint line (default true); help lists all
  help?: boolean;           // a global key kept off the hint line (80 columns) but listed by `?`
  when?: (sub: string) => boolean; // only in some sub-views of a screen
  run(ctx: C): void;
}

export function findBinding<C>(bindings: readonly KeyBinding<C>[], name: string): KeyBinding<C> | undefined {
  return bindings.find((b) => b.keys.includes(name));
}

const display: Record<string, string> = {
  up: '↑', down: '↓', left: '←', right: '→', enter: '⏎', esc: 'esc', tab: 'tab', 'shift-tab': 'S-tab',
  pgup: 'pgup', pgdn: 'pgdn', ' ': 'space',
};

export function keyLabel(names: readonly string[]): string {
  return names.map((n) => display[n] ?? n).join('/');
}

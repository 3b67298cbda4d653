/** Keys that work on every screen, declared once like the screens' own. */
import type { KeyBinding } from './keys.js';
import type { PaceCommand } from '../src/engine/snapshot.js';
import { SCREENS, type ScreenId, type UiAction } from './state.js';

export interface GlobalContext {
  dispatch(action: UiAction): void;
  length: number;           // rows in the current table, after the filter
  page: number;             // visible rows, for page up/down
  exit(): void;
  /** The host filter's next step: all → each host → all (components/hostScope.ts). */
  cycleHost(): void;
}

const screenKey = (n: number, id: ScreenId): KeyBinding<GlobalContext> => ({
  keys: [String(n)], label: id, hint: false, run: (c) => c.dispatch({ type: 'screen', id }),
});

export const GLOBAL_KEYS: readonly KeyBinding<GlobalContext>[] = [
  ...SCREENS.map((id, i) => screenKey(i + 1, id)),
  { keys: ['tab'], label: 'next screen', hint: false, run: (c) => c.dispatch({ type: 'cycle', delta: 1 }) },
  { keys: ['shift-tab'], label: 'previous screen', hint: false, run: (c) => c.dispatch({ type: 'cycle', delta: -1 }) },
  { keys: ['j', 'down'], label: 'down', hint: false, run: (c) => c.dispatch({ type: 'move', delta: 1, length: c.length }) },
  { keys: ['k', 'up'], label: 'up', hint: false, run: (c) => c.dispatch({ type: 'move', delta: -1, length: c.length }) },
  { keys: ['pgdn', 'ctrl-f'], label: 'page down', hint: false, run: (c) => c.dispatch({ type: 'move', delta: c.page, length: c.length }) },
  { keys: ['pgup', 'ctrl-b'], label: 'page up', hint: false, run: (c) => c.dispatch({ type: 'move', delta: -c.page, length: c.length }) },
  { keys: ['g', 'home'], label: 'first row', hint: false, run: (c) => c.dispatch({ type: 'move', delta: -c.length, length: c.length }) },
  { keys: ['G', 'end'], label: 'last row', hint: false, run: (c) => c.dispatch({ type: 'move', delta: c.length, length: c.length }) },
  { keys: ['/'], label: 'filter', run: (c) => c.dispatch({ type: 'filter-start' }) },
  { keys: ['H'], label: 'host filter: next serving host, then all', hint: false, help: true, run: (c) => c.cycleHost() },
  { keys: [':'], label: 'command', run: (c) => c.dispatch({ type: 'command-start' }) },
  { keys: ['?'], label: 'help', run: (c) => c.dispatch({ type: 'help' }) },
  { keys: ['q', 'ctrl-c'], label: 'quit', run: (c) => c.exit() },
];

/** The demo's replay: keys that exist only while the console runs the demo. */
export interface DemoContext {
  pace(cmd: PaceCommand): void;
}

export const DEMO_KEYS: readonly KeyBinding<DemoContext>[] = [
  { keys: [' '], label: 'pause/resume replay', run: (c) => c.pace('toggle') },
  { keys: ['+', '='], label: 'replay faster', run: (c) => c.pace('faster') },
  { keys: ['-', '_'], label: 'replay slower', run: (c) => c.pace('slower') },
];

/** What a screen declares: its rows, how they filter, its keys and its view. App does the rest. */
import type { ComponentType } from 'react';
import type { Snapshot } from '../../src/engine/snapshot.js';
import type { KeyBinding } from '../keys.js';
import type { ScreenId } from '../state.js';
import type { ConsoleActions } from '../actions.js';

export interface ScreenProps<R> {
  snapshot: Snapshot;
  rows: readonly R[];       // filtered rows of the screen's table
  selected: number;         // index into rows (already clamped)
  sub: string;              // sub-view, e.g. 'table' | 'detail'
  width: number;
  height: number;           // lines the screen may use
}

export interface ActionContext<R> {
  snapshot: Snapshot;
  selected: R | undefined;
  sub: string;
  setSub(value: string): void;
  actions: ConsoleActions;
}

export interface ScreenDef<R> {
  id: ScreenId;
  title: string;
  rows(snapshot: Snapshot, sub: string): readonly R[];
  text(row: R): string;     // what `/` matches against
  keys: readonly KeyBinding<ActionContext<R>>[];
  View: ComponentType<ScreenProps<R>>;
}

/** Erase the row type so screens with different rows fit in one list; each def is internally consistent. */
export function defineScreen<R>(def: ScreenDef<R>): ScreenDef<unknown> {
  return def as unknown as ScreenDef<unknown>;
}

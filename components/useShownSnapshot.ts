/**
 * The engine publishes a snapshot every 250 ms, idle or not, each a new object. Every new one
 * re-rendered the whole console and made Ink draw a full frame (tens of milliseconds at 200×60),
 * and a key pressed meanwhile waited for it: most of the slow keys (issue 14). A snapshot that
 * shows nothing new — equal to the one on screen but for its clock, within the same second (the
 * header shows the clock to the second) — is not handed to React at all.
 */
import { useCallback, useRef, useSyncExternalStore } from 'react';
import { isDeepStrictEqual } from 'node:util';
import type { Snapshot, SnapshotSource } from '../src/engine/snapshot.js';

/** True when `b` would draw the same console as `a`. */
export function sameView(a: Snapshot | null, b: Snapshot | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (Math.floor(a.at / 1000) !== Math.floor(b.at / 1000)) return false;
  return isDeepStrictEqual({ ...a, at: 0 }, { ...b, at: 0 });
}

/** The source's latest snapshot, changing only when it would change what is drawn. */
export function useShownSnapshot(source: SnapshotSource): Snapshot | null {
  const shown = useRef<Snapshot | null>(null);
  const current = useCallback(() => {
    const s = source.current();
    if (!sameView(shown.current, s)) shown.current = s;
    return shown.current;
  }, [source]);
  const subscribe = useCallback((onChange: () => void) => source.subscribe(() => {
    if (!sameView(shown.current, source.current())) onChange();
  }), [source]);
  return useSyncExternalStore(subscribe, current);
}

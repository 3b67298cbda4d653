/**
 * The header: where we are (database, backend), how ingest goes, what serves, what is wrong;
 * in the demo, the replay (playing or paused, its rate and clock) and, when the demo stopped by
 * itself, the one-line hint of what to do next.
 */
import { memo } from 'react';
import { Box } from 'ink';
import type { DemoStatus, Snapshot } from '../src/engine/snapshot.js';
import { Line } from './widgets/Line.js';
import { count, dateTime, time } from './format.js';
import { hostScopeLine } from './hostScope.js';
import type { ScreenId } from './state.js';

export interface HeaderProps {
  snapshot: Snapshot | null;
  width: number;
  readOnly: boolean;
  /** The current screen: with a host filter, the header says what this screen shows for it. */
  screen?: ScreenId;
}

export function headerLines(s: Snapshot, readOnly: boolean): [string, string] {
  const active = s.models.filter((m) => m.alias === 'active').map((m) => `${m.name}@${m.version}`).join(',') || 'none';
  const i = s.ingest;
  // The host filter first on its line (what the screens below show depends on it), with its
  // own count; the counts after it stay the fleet's.
  const sel = s.hosts?.selected;
  const mine = sel != null ? s.hosts!.list.find((h) => h.host === sel) : undefined;
  const host = sel != null ? `HOST ${sel}${mine ? ` ${count(mine.predictions)} preds` : ''} │ fleet: ` : '';
  return [
    `mlops-tui${readOnly ? ' [read-only]' : ''} │ db ${s.db} │ backend ${s.backend} │ ${time(s.at)}`,
    `${host}${count(i.ratePerSec)} lines/s${i.caughtUp ? '' : ' (catching up)'} │ ${count(i.predictions)} preds ${count(i.labels)} labels` +
      `${i.quarantined ? ` ${count(i.quarantined)} quar.` : ''} │ ${s.openPages} page alert${s.openPages === 1 ? '' : 's'} │ active ${active}`,
  ];
}

/** The demo's line: the replay's state and rate, its event clock, then the notice. */
export function demoLine(d: DemoStatus, notice: string | null): string {
  const state = d.done ? 'replay done' : d.paused ? (d.holding ? 'PAUSED' : 'pausing…') : 'playing';
  const rest = notice ? ` │ ${notice.replace(/^DEMO:\s*/, '')}` : '';
  return `DEMO ${state} · ${count(d.rate)} rows/s · replay at ${dateTime(d.clock)}${rest}`;
}

/** Lines the header takes for this snapshot. */
export function headerHeight(s: Snapshot | null): number {
  if (!s) return 2;
  return 2 + (s.notice || s.demo ? 1 : 0) + (s.demo?.hint ? 1 : 0) + (s.hosts?.selected != null ? 1 : 0);
}

export const Header = memo(function Header({ snapshot, width, readOnly, screen = 'overview' }: HeaderProps) {
  if (!snapshot) {
    return (
      <Box flexDirection="column">
        <Line text={`mlops-tui${readOnly ? ' [read-only]' : ''}`} width={width} bold />
        <Line text="waiting for the engine's first snapshot…" width={width} tone="dim" />
      </Box>
    );
  }
  const [a, b] = headerLines(snapshot, readOnly);
  return (
    <Box flexDirection="column">
      <Line text={a} width={width} bold />
      <Line text={b} width={width} tone={snapshot.openPages ? 'warn' : undefined} />
      {snapshot.demo ? <Line text={demoLine(snapshot.demo, snapshot.notice)} width={width} tone={snapshot.demo.paused ? 'warn' : 'accent'} bold />
        : snapshot.notice ? <Line text={snapshot.notice} width={width} tone="accent" bold /> : null}
      {snapshot.demo?.hint ? <Line text={snapshot.demo.hint} width={width} tone="warn" bold /> : null}
      {snapshot.hosts?.selected != null ? <Line text={hostScopeLine(snapshot, screen) ?? ''} width={width} tone="accent" bold /> : null}
    </Box>
  );
});

/** The header: where we are (database, backend), how ingest goes, what serves, what is wrong. */
import { memo } from 'react';
import { Box } from 'ink';
import type { Snapshot } from '../src/engine/snapshot.js';
import { Line } from './widgets/Line.js';
import { count, time } from './format.js';

export interface HeaderProps {
  snapshot: Snapshot | null;
  width: number;
  readOnly: boolean;
}

export function headerLines(s: Snapshot, readOnly: boolean): [string, string] {
  const active = s.models.filter((m) => m.alias === 'active').map((m) => `${m.name}@${m.version}`).join(',') || 'none';
  const i = s.ingest;
  return [
    `mlops-tui${readOnly ? ' [read-only]' : ''} │ db ${s.db} │ backend ${s.backend} │ ${time(s.at)}`,
    `${count(i.ratePerSec)} lines/s${i.caughtUp ? '' : ' (catching up)'} │ ${count(i.predictions)} preds ${count(i.labels)} labels` +
      `${i.quarantined ? ` ${count(i.quarantined)} quar.` : ''} │ ${s.alerts.length} alerts │ active ${active}`,
  ];
}

export const Header = memo(function Header({ snapshot, width, readOnly }: HeaderProps) {
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
      <Line text={b} width={width} tone={snapshot.alerts.length ? 'warn' : undefined} />
      {snapshot.notice ? <Line text={snapshot.notice} width={width} tone="accent" bold /> : null}
    </Box>
  );
});

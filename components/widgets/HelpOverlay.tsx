/** The `?` overlay: every key of the current screen, read from the same list the handler uses. */
import { Box } from 'ink';
import { Line } from './Line.js';
import { fit } from '../format.js';

export interface HelpEntry { keys: string; label: string; confirms?: boolean }

export interface HelpOverlayProps {
  title: string;
  screenKeys: readonly HelpEntry[];
  globalKeys: readonly HelpEntry[];
  commands: readonly string[];
  width: number;
  height: number;
}

export function HelpOverlay({ title, screenKeys, globalKeys, commands, width, height }: HelpOverlayProps) {
  const entry = (e: HelpEntry) => `  ${e.keys.padEnd(13)} ${e.label}${e.confirms ? ' (confirms)' : ''}`;
  const lines: { text: string; bold?: boolean }[] = [
    { text: `Keys: ${title}`, bold: true },
    ...screenKeys.map((e) => ({ text: entry(e) })),
    { text: 'Everywhere', bold: true },
    ...globalKeys.map((e) => ({ text: entry(e) })),
    { text: 'Command line', bold: true },
    ...commands.map((c) => ({ text: '  ' + c })),
  ];
  // Two columns when one does not fit; the last line always says how to leave.
  const room = Math.max(1, height);
  const colW = Math.floor(width / 2);
  const rows: string[] = [];
  if (lines.length <= room) for (const l of lines) rows.push(l.text);
  else for (let i = 0; i < room; i++) rows.push(fit(fit(lines[i]?.text ?? '', colW - 1) + ' ', colW) + (lines[i + room]?.text ?? ''));
  return (
    <Box flexDirection="column" height={height}>
      {rows.map((t, i) => (
        <Line key={i} text={t} width={width} bold={lines.length <= room && lines[i]?.bold} />
      ))}
    </Box>
  );
}

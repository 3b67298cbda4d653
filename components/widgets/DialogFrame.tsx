/**
 * The frame both dialogs draw (ConfirmDialog, FormDialog): a rounded box of at most 76 columns
 * with a title, the explanation wrapped (not cut: the figures a decision rests on must be
 * readable at 80 columns) into the rows the dialog's own parts leave, then those parts.
 */
import type { ReactNode } from 'react';
import { Box } from 'ink';
import { Line } from './Line.js';
import { wrap } from '../format.js';
import type { Tone } from '../theme.js';

export interface DialogFrameProps {
  title: string;
  lines: ReadonlyArray<{ text: string; tone?: Tone }>;
  width: number;
  height: number;
  /** Rows the dialog's own parts (fields, buttons) take below the explanation. */
  reserved: number;
  /** Width of the text inside the border, given to the dialog's own parts. */
  children: (inner: number) => ReactNode;
  footer?: string;
}

export function DialogFrame({ title, lines, width, height, reserved, children, footer }: DialogFrameProps) {
  const w = Math.min(width, 76);
  const inner = w - 4;
  const room = Math.max(0, height - reserved);
  const wrapped = lines.flatMap((l) => wrap(l.text, inner).map((text) => ({ text, tone: l.tone }))).slice(0, room);
  return (
    <Box flexDirection="column" height={height} alignItems="center">
      <Box flexDirection="column" borderStyle="round" width={w} paddingX={1}>
        <Line text={title} width={inner} bold tone="warn" />
        {wrapped.map((l, i) => (
          <Line key={i} text={l.text} width={inner} tone={l.tone} />
        ))}
        {children(inner)}
      </Box>
      {footer !== undefined && <Line text={footer} width={w} tone="dim" />}
    </Box>
  );
}

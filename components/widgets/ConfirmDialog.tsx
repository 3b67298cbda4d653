/** Confirmation of a destructive action. Focus starts on Cancel; App routes keys to it while open. */
import { Box } from 'ink';
import type { ConfirmDialog as Dialog } from '../state.js';
import { Line } from './Line.js';
import { wrap } from '../format.js';

export interface ConfirmDialogProps {
  dialog: Dialog;
  width: number;
  height: number;
}

export function buttons(dialog: Dialog): string {
  const b = (label: string, on: boolean) => (on ? `[> ${label} <]` : `[  ${label}  ]`);
  const confirm = dialog.loading ? `(${dialog.confirmLabel}: wait)` : b(dialog.confirmLabel, dialog.focus === 'confirm');
  return `${b('Cancel', dialog.focus === 'cancel')}   ${confirm}`;
}

export function ConfirmDialogView({ dialog, width, height }: ConfirmDialogProps) {
  const w = Math.min(width, 76);
  const inner = w - 4;
  const room = Math.max(0, height - 6);
  // Wrapped, not cut: the figures a decision rests on must be readable at 80 columns.
  const lines = dialog.lines.flatMap((l) => wrap(l.text, inner).map((text) => ({ text, tone: l.tone }))).slice(0, room);
  return (
    <Box flexDirection="column" height={height} alignItems="center">
      <Box flexDirection="column" borderStyle="round" width={w} paddingX={1}>
        <Line text={dialog.title} width={inner} bold tone="warn" />
        {lines.map((l, i) => (
          <Line key={i} text={l.text} width={inner} tone={l.tone} />
        ))}
        <Line text=" " width={inner} />
        <Line text={buttons(dialog)} width={inner} bold />
      </Box>
      <Line text="←/→ or tab move · ⏎ choose · esc cancel" width={w} tone="dim" />
    </Box>
  );
}

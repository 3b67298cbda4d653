/** Confirmation of a destructive action. Focus starts on Cancel; App routes keys to it while open. */
import type { ConfirmDialog as Dialog } from '../state.js';
import { Line } from './Line.js';
import { DialogFrame } from './DialogFrame.js';

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
  return (
    <DialogFrame title={dialog.title} lines={dialog.lines} width={width} height={height} reserved={6} footer="←/→ or tab move · ⏎ choose · esc cancel">
      {(inner) => (
        <>
          <Line text=" " width={inner} />
          <Line text={buttons(dialog)} width={inner} bold />
        </>
      )}
    </DialogFrame>
  );
}

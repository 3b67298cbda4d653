/** A dialog with text fields, then Cancel and the action (App routes keys to it while open). */
import { Box } from 'ink';
import type { FormDialog as Form } from '../state.js';
import { Line } from './Line.js';
import { wrap } from '../format.js';

export interface FormDialogProps {
  form: Form;
  width: number;
  height: number;
}

export function formButtons(form: Form): string {
  const n = form.fields.length;
  const b = (label: string, on: boolean) => (on ? `[> ${label} <]` : `[  ${label}  ]`);
  const action = form.loading ? `(${form.confirmLabel}: wait)` : b(form.confirmLabel, form.focus === n + 1);
  return `${b('Cancel', form.focus === n)}   ${action}`;
}

export function FormDialogView({ form, width, height }: FormDialogProps) {
  const w = Math.min(width, 76);
  const inner = w - 4;
  const labelW = Math.max(...form.fields.map((f) => f.label.length)) + 1;
  // The fields, the error line and the buttons always show; the explanation takes what is left.
  const room = Math.max(0, height - 5 - form.fields.length);
  const lines = form.lines.flatMap((l) => wrap(l.text, inner).map((text) => ({ text, tone: l.tone }))).slice(0, room);
  return (
    <Box flexDirection="column" height={height} alignItems="center">
      <Box flexDirection="column" borderStyle="round" width={w} paddingX={1}>
        <Line text={form.title} width={inner} bold tone="warn" />
        {lines.map((l, i) => (
          <Line key={i} text={l.text} width={inner} tone={l.tone} />
        ))}
        {form.fields.map((f, i) => (
          <Line key={`f${i}`} text={`${form.focus === i ? '>' : ' '} ${f.label.padEnd(labelW)} ${f.value}${form.focus === i ? '█' : ''}`}
            width={inner} bold={form.focus === i} />
        ))}
        <Line text={form.error ?? ' '} width={inner} tone={form.error ? 'bad' : undefined} />
        <Line text={formButtons(form)} width={inner} bold />
      </Box>
    </Box>
  );
}

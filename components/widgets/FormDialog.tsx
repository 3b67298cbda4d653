/** A dialog with text fields, then Cancel and the action (App routes keys to it while open). */
import type { FormDialog as Form } from '../state.js';
import { Line } from './Line.js';
import { DialogFrame } from './DialogFrame.js';

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
  const labelW = Math.max(...form.fields.map((f) => f.label.length)) + 1;
  // The fields, the error line and the buttons always show; the explanation takes what is left.
  return (
    <DialogFrame title={form.title} lines={form.lines} width={width} height={height} reserved={5 + form.fields.length}>
      {(inner) => (
        <>
          {form.fields.map((f, i) => (
            <Line key={`f${i}`} text={`${form.focus === i ? '>' : ' '} ${f.label.padEnd(labelW)} ${f.value}${form.focus === i ? '█' : ''}`}
              width={inner} bold={form.focus === i} />
          ))}
          <Line text={form.error ?? ' '} width={inner} tone={form.error ? 'bad' : undefined} />
          <Line text={formButtons(form)} width={inner} bold />
        </>
      )}
    </DialogFrame>
  );
}

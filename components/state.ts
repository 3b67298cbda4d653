/**
 * UI state of the console as a pure reducer: which screen, the selection, filter and
 * sub-view per screen, the input mode (normal, filter, command line, help, confirmation)
 * and the flash line. No terminal needed to test it.
 */
export const SCREENS = ['overview', 'drift', 'shadow', 'models', 'retrain', 'events', 'quality'] as const;
export type ScreenId = (typeof SCREENS)[number];

export type FlashTone = 'ok' | 'bad' | 'info';
export interface Flash { text: string; tone: FlashTone; at: number }

export interface DialogLine { text: string; tone?: 'ok' | 'warn' | 'bad' | 'dim' | 'info' }

export interface ConfirmDialog {
  id: number;               // identifies the dialog, so a late gate preview cannot fill a newer one
  title: string;
  lines: DialogLine[];
  confirmLabel: string;
  loading: boolean;         // true while the figures the decision rests on are still coming
  focus: 'cancel' | 'confirm';
  onConfirm: () => void;
}

/** A text field of a form dialog; `edited` once the operator typed in it (late defaults leave it alone). */
export interface FormField { label: string; value: string; edited: boolean }

/**
 * A dialog with text fields (the reference period's from and until), then Cancel and the action.
 * Focus starts on the first field, so typing goes there; Enter moves down, and on the last field
 * lands on Cancel: nothing happens on a single key press. `submit` validates the values and
 * returns the sentence that says what is wrong, or null once it has sent the command.
 */
export interface FormDialog {
  id: number;
  title: string;
  lines: DialogLine[];      // what the action does, what is in force now
  fields: FormField[];
  focus: number;            // 0…fields-1 a field, fields = Cancel, fields+1 = the action
  confirmLabel: string;
  loading: boolean;         // defaults still coming: the action waits
  error: string | null;     // the last validation failure
  submit: (values: string[]) => string | null;
}

export type Mode =
  | { kind: 'normal' }
  | { kind: 'form'; form: FormDialog }
  | { kind: 'filter' }
  | { kind: 'command'; draft: string }
  | { kind: 'help' }
  | { kind: 'confirm'; dialog: ConfirmDialog };

type PerScreen<T> = Record<ScreenId, T>;

export interface UiState {
  screen: ScreenId;
  selected: PerScreen<number>;
  filter: PerScreen<string>;
  sub: PerScreen<string>;
  mode: Mode;
  flash: Flash | null;
}

const per = <T>(v: T): PerScreen<T> =>
  Object.fromEntries(SCREENS.map((s) => [s, v])) as PerScreen<T>;

export function initialState(): UiState {
  return {
    screen: 'overview',
    selected: per(0),
    filter: per(''),
    sub: { ...per('table'), events: 'events' },
    mode: { kind: 'normal' },
    flash: null,
  };
}

export type UiAction =
  | { type: 'screen'; id: ScreenId }
  | { type: 'cycle'; delta: 1 | -1 }
  | { type: 'move'; delta: number; length: number }
  | { type: 'sub'; value: string }
  | { type: 'filter-start' }
  | { type: 'filter-set'; text: string }
  | { type: 'filter-keep' }
  | { type: 'filter-clear' }
  | { type: 'command-start' }
  | { type: 'command-set'; draft: string }
  | { type: 'mode-normal' }
  | { type: 'help' }
  | { type: 'confirm-open'; dialog: ConfirmDialog }
  | { type: 'confirm-update'; id: number; lines: DialogLine[]; confirmLabel?: string; loading: boolean }
  | { type: 'confirm-focus'; focus: 'cancel' | 'confirm' | 'toggle' }
  | { type: 'form-open'; form: FormDialog }
  | { type: 'form-update'; id: number; lines: DialogLine[]; values?: string[]; loading: boolean }
  | { type: 'form-focus'; delta: number }
  | { type: 'form-edit'; text: string }
  | { type: 'form-error'; error: string | null }
  | { type: 'flash'; flash: Flash | null };

export function reducer(state: UiState, action: UiAction): UiState {
  const s = state.screen;
  switch (action.type) {
    case 'screen':
      return action.id === s ? state : { ...state, screen: action.id, mode: { kind: 'normal' } };
    case 'cycle': {
      const i = SCREENS.indexOf(s);
      const next = SCREENS[(i + action.delta + SCREENS.length) % SCREENS.length];
      return { ...state, screen: next, mode: { kind: 'normal' } };
    }
    case 'move': {
      const max = Math.max(0, action.length - 1);
      const cur = Math.min(state.selected[s], max);
      const next = Math.max(0, Math.min(max, cur + action.delta));
      return next === state.selected[s] ? state : { ...state, selected: { ...state.selected, [s]: next } };
    }
    case 'sub':
      return { ...state, sub: { ...state.sub, [s]: action.value }, selected: action.value === 'detail' ? state.selected : { ...state.selected, [s]: state.sub[s] === 'detail' ? state.selected[s] : 0 } };
    case 'filter-start':
      return { ...state, mode: { kind: 'filter' } };
    case 'filter-set':
      return { ...state, filter: { ...state.filter, [s]: action.text }, selected: { ...state.selected, [s]: 0 } };
    case 'filter-keep':
      return { ...state, mode: { kind: 'normal' } };
    case 'filter-clear':
      return { ...state, mode: { kind: 'normal' }, filter: { ...state.filter, [s]: '' }, selected: { ...state.selected, [s]: 0 } };
    case 'command-start':
      return { ...state, mode: { kind: 'command', draft: '' } };
    case 'command-set':
      return state.mode.kind === 'command' ? { ...state, mode: { kind: 'command', draft: action.draft } } : state;
    case 'mode-normal':
      return { ...state, mode: { kind: 'normal' } };
    case 'help':
      return { ...state, mode: { kind: 'help' } };
    case 'confirm-open':
      return { ...state, mode: { kind: 'confirm', dialog: { ...action.dialog, focus: 'cancel' } } };
    case 'confirm-update': {
      if (state.mode.kind !== 'confirm' || state.mode.dialog.id !== action.id) return state;
      const d = state.mode.dialog;
      return {
        ...state,
        mode: { kind: 'confirm', dialog: { ...d, lines: action.lines, loading: action.loading, confirmLabel: action.confirmLabel ?? d.confirmLabel } },
      };
    }
    case 'confirm-focus': {
      if (state.mode.kind !== 'confirm') return state;
      const d = state.mode.dialog;
      const focus = action.focus === 'toggle' ? (d.focus === 'cancel' ? 'confirm' : 'cancel') : action.focus;
      return { ...state, mode: { kind: 'confirm', dialog: { ...d, focus } } };
    }
    case 'form-open':
      return { ...state, mode: { kind: 'form', form: { ...action.form, focus: 0, error: null } } };
    case 'form-update': {
      if (state.mode.kind !== 'form' || state.mode.form.id !== action.id) return state;
      const f = state.mode.form;
      const fields = f.fields.map((x, i) => (action.values && !x.edited && action.values[i] !== undefined ? { ...x, value: action.values[i] } : x));
      return { ...state, mode: { kind: 'form', form: { ...f, fields, lines: action.lines, loading: action.loading } } };
    }
    case 'form-focus': {
      if (state.mode.kind !== 'form') return state;
      const f = state.mode.form;
      const n = f.fields.length + 2;
      return { ...state, mode: { kind: 'form', form: { ...f, focus: (f.focus + action.delta + n) % n } } };
    }
    case 'form-edit': {
      if (state.mode.kind !== 'form') return state;
      const f = state.mode.form;
      if (f.focus >= f.fields.length) return state;
      const fields = f.fields.map((x, i) => (i === f.focus ? { ...x, value: action.text, edited: true } : x));
      return { ...state, mode: { kind: 'form', form: { ...f, fields, error: null } } };
    }
    case 'form-error':
      return state.mode.kind === 'form' ? { ...state, mode: { kind: 'form', form: { ...state.mode.form, error: action.error } } } : state;
    case 'flash':
      return { ...state, flash: action.flash };
  }
}

/** Rows whose text contains every word of the filter, case-insensitively. */
export function applyFilter<R>(rows: readonly R[], filter: string, text: (r: R) => string): R[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows as R[];
  return rows.filter((r) => {
    const hay = text(r).toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

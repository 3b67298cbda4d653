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

export type Mode =
  | { kind: 'normal' }
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

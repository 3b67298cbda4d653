/**
 * The console. Reads keys in ONE place (gemini-cli): the handler below routes each key by
 * mode — an open dialog, help, filter or command line captures input; otherwise the current
 * screen's declared keys, then the global keys. The hint line, `?` help and this handler all
 * read the same declarations, so they cannot disagree.
 *
 * UI state lives in a ref updated synchronously by `dispatch`, so keys that arrive faster than
 * React renders (a paste, a burst over SSH) each see the state left by the one before.
 */
import { useCallback, useMemo, useReducer, useRef, useEffect } from 'react';
import { Box, useApp, useInput, useStdin, type Key } from 'ink';
import type { EngineCommands, Snapshot, SnapshotSource } from '../src/engine/snapshot.js';
import { sanitizeDeep } from '../src/util/sanitize.js';
import { applyFilter, initialState, reducer, SCREENS, type UiAction, type UiState } from './state.js';
import { findBinding, keyLabel, keyName, type KeyBinding } from './keys.js';
import { makeActions } from './actions.js';
import { COMMAND_HELP, parseCommand } from './command.js';
import { SCREEN_DEFS } from './screens/index.js';
import type { ActionContext } from './screens/types.js';
import { DEMO_KEYS, GLOBAL_KEYS, type DemoContext, type GlobalContext } from './globalKeys.js';
import { Header, headerHeight } from './Header.js';
import { cycleHost, scopeToHost } from './hostScope.js';
import { Line } from './widgets/Line.js';
import { HelpOverlay } from './widgets/HelpOverlay.js';
import { ConfirmDialogView } from './widgets/ConfirmDialog.js';
import { FormDialogView } from './widgets/FormDialog.js';
import { ThemeContext, colorFromEnv, makeTheme } from './theme.js';
import { useTerminalSize, type TerminalSize } from './useTerminalSize.js';
import { useShownSnapshot } from './useShownSnapshot.js';

export interface AppProps {
  snapshots: SnapshotSource;
  commands: EngineCommands;
  readOnly?: boolean;        // strips every key and command flagged dangerous
  size?: TerminalSize;       // fixed size instead of the terminal's (tests, benchmarks)
  noColor?: boolean;         // default: from the NO_COLOR environment variable
}

const FLASH_MS = 8000;

function isText(input: string, key: Key): boolean {
  return input.length > 0 && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(input);
}

export function App({ snapshots, commands, readOnly = false, size: fixedSize, noColor }: AppProps) {
  const raw = useShownSnapshot(snapshots);
  // Every string from the engine came from a log at some point: sanitised once per snapshot.
  const full = useMemo(() => (raw ? sanitizeDeep(raw) : null), [raw]);
  // With a host filter the screens draw that host's figures (components/hostScope.ts); the header the fleet's.
  const snapshot = useMemo(() => (full ? scopeToHost(full) : null), [full]);
  const snapshotRef = useRef<Snapshot | null>(snapshot);
  snapshotRef.current = snapshot;

  const stateRef = useRef<UiState>(initialState());
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const dispatch = useCallback((action: UiAction) => {
    const next = reducer(stateRef.current, action);
    if (next !== stateRef.current) {
      stateRef.current = next;
      rerender();
    }
  }, []);
  const state = stateRef.current;

  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const size = useTerminalSize(fixedSize);
  const theme = useMemo(() => makeTheme(noColor === undefined ? colorFromEnv() : !noColor), [noColor]);
  const actions = useMemo(() => makeActions(dispatch, commands, () => snapshotRef.current, readOnly), [dispatch, commands, readOnly]);

  const def = SCREEN_DEFS[state.screen];
  const sub = state.sub[state.screen];
  const filter = state.filter[state.screen];
  const allRows = useMemo(() => (snapshot ? def.rows(snapshot, sub) : []), [snapshot, def, sub]);
  const rows = useMemo(() => applyFilter(allRows, filter, def.text), [allRows, filter, def]);
  const selected = Math.max(0, Math.min(state.selected[state.screen], rows.length - 1));
  const screenKeys = useMemo(
    () => def.keys.filter((k) => (!k.when || k.when(sub)) && !(readOnly && k.dangerous)),
    [def, sub, readOnly],
  );

  // Ink clears the whole terminal on every frame once the output is as tall as the terminal;
  // one line less keeps it on its incremental path (no flicker over SSH).
  const width = Math.max(20, size.columns);
  const height = Math.max(8, size.rows - 1);
  const demo = snapshot?.demo ?? null;
  const headerH = headerHeight(full);
  const bodyH = Math.max(1, height - headerH - 3);

  useEffect(() => {
    const f = state.flash;
    if (!f) return;
    const t = setTimeout(() => {
      if (stateRef.current.flash === f) dispatch({ type: 'flash', flash: null });
    }, FLASH_MS);
    return () => clearTimeout(t);
  }, [state.flash, dispatch]);

  const runCommand = (line: string) => {
    const intent = parseCommand(line);
    switch (intent.kind) {
      case 'promote': return actions.promote(intent.target, intent.force);
      case 'rollback': return actions.rollback(intent.name);
      case 'retrain': {
        const { kind: _k, ...opts } = intent;
        return actions.retrain(opts);
      }
      case 'cancel': return actions.cancelJob(intent.id);
      case 'reference': return actions.pinReference(intent.target);
      case 'screen': return dispatch({ type: 'screen', id: intent.id });
      case 'help': return dispatch({ type: 'help' });
      case 'quit': return exit();
      case 'error': return actions.flash(intent.message, 'bad');
    }
  };

  const onKey = (input: string, key: Key) => {
    // Ink hands us whatever arrived in one read as one input: keys typed while the event loop
    // was busy (a snapshot build on a big store) or sent together over SSH came as "jj" or
    // ":q" and were dropped. Outside text entry each printable character is a key of its own;
    // "[A"/"OA"/"[Z" stay whole (keyName reads them as an arrow or Shift-Tab split off its ESC).
    // Erasures that arrive in one read (a held key, two presses in one burst over SSH or from
    // tmux) come as one string that Ink does not name: each is a backspace of its own. Ignored
    // as non-text before, they were lost (the e2e test's two BSpace keys, now and then).
    if (input.length > 1 && /^[\x7f\b]+$/.test(input)) {
      for (let i = 0; i < input.length; i++) onKeyRef.current('', { ...key, backspace: true });
      return;
    }
    const entry = stateRef.current.mode.kind === 'filter' || stateRef.current.mode.kind === 'command' || stateRef.current.mode.kind === 'form';
    if (input.length > 1 && !entry && !key.ctrl && !key.meta && /^[\x20-\x7e]+$/.test(input) && !/^[[O][A-DZ]$/.test(input)) {
      for (const ch of input) onKeyRef.current(ch, { ...key, shift: /[A-Z]/.test(ch) });
      return;
    }
    const st = stateRef.current;
    const name = keyName(input, key);
    const mode = st.mode;
    // Keys of one read run before React renders again: "6x" must find the Events screen's
    // keys for its "x", so the screen, its rows and keys come from the state, not this render.
    const view = st.screen === state.screen && st.sub[st.screen] === sub && st.filter[st.screen] === filter
      ? { def, sub, rows, keys: screenKeys }
      : viewOf(st, snapshotRef.current, readOnly);
    const selectedNow = Math.max(0, Math.min(st.selected[st.screen], view.rows.length - 1));
    switch (mode.kind) {
      case 'confirm': {
        const d = mode.dialog;
        if (['left', 'right', 'tab', 'shift-tab', 'h', 'l'].includes(name)) dispatch({ type: 'confirm-focus', focus: 'toggle' });
        else if (name === 'esc') {
          dispatch({ type: 'mode-normal' });
          actions.flash('Cancelled.');
        } else if (name === 'enter') {
          dispatch({ type: 'mode-normal' });
          if (d.focus === 'confirm' && !d.loading) d.onConfirm();
          else actions.flash('Cancelled.');
        }
        return;
      }
      case 'form': {
        const f = mode.form;
        const n = f.fields.length;
        const onField = f.focus < n;
        if (name === 'esc') {
          dispatch({ type: 'mode-normal' });
          actions.flash('Cancelled.');
        } else if (name === 'tab' || name === 'down') dispatch({ type: 'form-focus', delta: 1 });
        else if (name === 'shift-tab' || name === 'up') dispatch({ type: 'form-focus', delta: -1 });
        else if (!onField && ['left', 'right', 'h', 'l'].includes(name)) dispatch({ type: 'form-focus', delta: f.focus === n ? 1 : -1 });
        else if (name === 'enter') {
          if (onField) dispatch({ type: 'form-focus', delta: 1 });
          else if (f.focus === n) {
            dispatch({ type: 'mode-normal' });
            actions.flash('Cancelled.');
          } else if (!f.loading) {
            const error = f.submit(f.fields.map((x) => x.value));
            dispatch(error === null ? { type: 'mode-normal' } : { type: 'form-error', error });
          }
        } else if (onField && name === 'backspace') dispatch({ type: 'form-edit', text: f.fields[f.focus].value.slice(0, -1) });
        else if (onField && isText(input, key)) dispatch({ type: 'form-edit', text: f.fields[f.focus].value + input });
        return;
      }
      case 'help':
        if (['esc', '?', 'q', 'enter'].includes(name)) dispatch({ type: 'mode-normal' });
        return;
      case 'filter': {
        const cur = st.filter[st.screen];
        if (name === 'esc') dispatch({ type: 'filter-clear' });
        else if (name === 'enter') dispatch({ type: 'filter-keep' });
        else if (name === 'backspace') dispatch({ type: 'filter-set', text: cur.slice(0, -1) });
        else if (name === 'up' || name === 'down') dispatch({ type: 'move', delta: name === 'up' ? -1 : 1, length: view.rows.length });
        else if (isText(input, key)) dispatch({ type: 'filter-set', text: cur + input });
        return;
      }
      case 'command': {
        if (name === 'esc') dispatch({ type: 'mode-normal' });
        else if (name === 'enter') {
          dispatch({ type: 'mode-normal' });
          runCommand(mode.draft);
        } else if (name === 'backspace') {
          if (mode.draft === '') dispatch({ type: 'mode-normal' });
          else dispatch({ type: 'command-set', draft: mode.draft.slice(0, -1) });
        } else if (isText(input, key)) dispatch({ type: 'command-set', draft: mode.draft + input });
        return;
      }
      case 'normal': {
        const ctx: ActionContext<unknown> = {
          snapshot: snapshotRef.current as Snapshot,
          selected: view.rows[selectedNow],
          sub: view.sub,
          setSub: (value) => dispatch({ type: 'sub', value }),
          actions,
        };
        const own = snapshotRef.current ? findBinding(view.keys, name) : undefined;
        if (own) return own.run(ctx);
        if (readOnly && view.def.keys.some((k) => k.dangerous && k.keys.includes(name))) {
          return actions.flash('Read-only console: that action is disabled.', 'bad');
        }
        const pacing = snapshotRef.current?.demo ? findBinding<DemoContext>(DEMO_KEYS, name) : undefined;
        if (pacing) return pacing.run({ pace: actions.pace });
        const g = findBinding<GlobalContext>(GLOBAL_KEYS, name);
        if (g) return g.run({ dispatch, length: view.rows.length, page: Math.max(1, bodyH - 2), exit, cycleHost: () => cycleHost(snapshotRef.current, actions) });
        if (name === 'esc' && st.filter[st.screen]) dispatch({ type: 'filter-clear' });
      }
    }
  };
  const onKeyRef = useRef(onKey);
  onKeyRef.current = onKey;
  const stableOnKey = useCallback((input: string, key: Key) => onKeyRef.current(input, key), []);
  useInput(stableOnKey, { isActive: isRawModeSupported });

  const tabs = SCREENS.map((id, i) => {
    const label = `${i + 1} ${SCREEN_DEFS[id].title}`;
    return id === state.screen ? `[${label}]` : ` ${label} `;
  }).join('') + (filter && state.mode.kind !== 'filter' ? `  /${filter}` : '');

  const hints = (demo ? 'space pause  +/- rate  ' : '') + hintLine(screenKeys, GLOBAL_KEYS);
  const bottom =
    state.mode.kind === 'filter' ? `/${filter}█   ⏎ keep · esc clear`
      : state.mode.kind === 'command' ? `:${state.mode.draft}█   ⏎ run · esc cancel`
        : state.mode.kind === 'help' ? 'esc or ? closes help'
          : state.mode.kind === 'form' ? 'type in the field · tab/↓ next · ⏎ next, or choose · esc cancel'
            : hints;

  let body: React.ReactNode;
  if (state.mode.kind === 'help') {
    body = (
      <HelpOverlay title={def.title} width={width} height={bodyH} commands={COMMAND_HELP}
        screenKeys={screenKeys.map((k) => ({ keys: keyLabel(k.keys), label: k.label, confirms: k.confirms }))}
        globalKeys={demo ? [...DEMO_HELP, ...GLOBAL_HELP] : GLOBAL_HELP} />
    );
  } else if (state.mode.kind === 'confirm') {
    body = <ConfirmDialogView dialog={state.mode.dialog} width={width} height={bodyH} />;
  } else if (state.mode.kind === 'form') {
    body = <FormDialogView form={state.mode.form} width={width} height={bodyH} />;
  } else if (snapshot) {
    const View = def.View;
    body = <View snapshot={snapshot} rows={rows} selected={selected} sub={sub} width={width} height={bodyH} />;
  } else {
    body = <Line text="no data yet" width={width} tone="dim" />;
  }

  // An operator's own flash wins; otherwise the engine's current trouble stays on the line.
  const flash = state.flash ?? (snapshot?.problem ? { text: snapshot.problem, tone: 'bad' as const } : null);
  // Clipped vertically only: every line is already cut to the width (Line), and a horizontal clip
  // makes Ink slice and re-measure every line of every frame (slice-ansi, string-width).
  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={width} height={height} overflowY="hidden">
        <Header snapshot={full} width={width} readOnly={readOnly} screen={state.screen} />
        <Line text={tabs} width={width} tone="info" bold />
        <Box flexDirection="column" height={bodyH} overflowY="hidden">
          {body}
        </Box>
        <Line text={flash ? flash.text : ' '} width={width} tone={flash ? (flash.tone === 'ok' ? 'ok' : flash.tone === 'bad' ? 'bad' : 'info') : undefined} bold={!!flash} />
        <Line text={bottom} width={width} tone={state.mode.kind === 'normal' ? 'dim' : undefined} />
      </Box>
    </ThemeContext.Provider>
  );
}

/** The current screen's definition, rows (filtered) and keys, from a UI state. */
function viewOf(st: UiState, snapshot: Snapshot | null, readOnly: boolean) {
  const def = SCREEN_DEFS[st.screen];
  const sub = st.sub[st.screen];
  const rows = snapshot ? applyFilter(def.rows(snapshot, sub), st.filter[st.screen], def.text) : [];
  const keys = def.keys.filter((k) => (!k.when || k.when(sub)) && !(readOnly && k.dangerous));
  return { def, sub, rows, keys };
}

const GLOBAL_HELP = [
  { keys: `1-${SCREENS.length} tab S-tab`, label: 'switch screen' },
  { keys: 'j/k ↑/↓', label: 'move (pgup/pgdn, g/G first/last)' },
  ...GLOBAL_KEYS.filter((k) => k.hint !== false || k.help === true).map((k) => ({ keys: keyLabel(k.keys), label: k.label })),
];

const DEMO_HELP = DEMO_KEYS.map((k) => ({ keys: keyLabel(k.keys), label: `${k.label} (demo)` }));

function hintLine<C, G>(screenKeys: readonly KeyBinding<C>[], globalKeys: readonly KeyBinding<G>[]): string {
  const own = screenKeys.filter((k) => k.hint !== false).map((k) => `${keyLabel(k.keys.slice(0, 1))} ${k.label}`);
  const glob = globalKeys.filter((k) => k.hint !== false).map((k) => `${keyLabel(k.keys.slice(0, 1))} ${k.label}`);
  // The tail is what gets cut at 80 columns: help and quit come right after the screen's own keys.
  const order = ['?', 'q', '/', ':'];
  glob.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  return [...own, ...glob, `1-${SCREENS.length} screens`].join('  ');
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFilter, initialState, reducer, type ConfirmDialog, type FormDialog } from '../../components/state.js';
import { parseCommand } from '../../components/command.js';
import { keyName } from '../../components/keys.js';
import type { Key } from 'ink';

const dialog = (over: Partial<ConfirmDialog> = {}): ConfirmDialog => ({
  id: 1, title: 't', lines: [], confirmLabel: 'Go', loading: false, focus: 'confirm', onConfirm: () => {}, ...over,
});

test('screens cycle both ways and wrap', () => {
  let s = initialState();
  s = reducer(s, { type: 'cycle', delta: -1 });
  assert.equal(s.screen, 'quality', 'back from the first screen to the last');
  s = reducer(s, { type: 'cycle', delta: 1 });
  assert.equal(s.screen, 'overview');
  s = reducer(s, { type: 'screen', id: 'models' });
  assert.equal(s.screen, 'models');
});

test('selection moves within bounds, per screen', () => {
  let s = reducer(initialState(), { type: 'screen', id: 'drift' });
  s = reducer(s, { type: 'move', delta: 5, length: 3 });
  assert.equal(s.selected.drift, 2);
  s = reducer(s, { type: 'move', delta: -10, length: 3 });
  assert.equal(s.selected.drift, 0);
  s = reducer(s, { type: 'move', delta: 1, length: 0 });
  assert.equal(s.selected.drift, 0);
  assert.equal(s.selected.overview, 0);
});

test('filter: set narrows and resets selection, keep leaves it, clear empties it', () => {
  let s = reducer(initialState(), { type: 'move', delta: 2, length: 5 });
  s = reducer(s, { type: 'filter-start' });
  assert.equal(s.mode.kind, 'filter');
  s = reducer(s, { type: 'filter-set', text: 'ho' });
  assert.equal(s.filter.overview, 'ho');
  assert.equal(s.selected.overview, 0);
  s = reducer(s, { type: 'filter-keep' });
  assert.equal(s.mode.kind, 'normal');
  assert.equal(s.filter.overview, 'ho');
  s = reducer(reducer(s, { type: 'filter-start' }), { type: 'filter-clear' });
  assert.equal(s.filter.overview, '');
});

test('a confirmation always opens on Cancel, and a late update only fills its own dialog', () => {
  let s = reducer(initialState(), { type: 'confirm-open', dialog: dialog({ focus: 'confirm', loading: true }) });
  assert.equal(s.mode.kind === 'confirm' && s.mode.dialog.focus, 'cancel');
  s = reducer(s, { type: 'confirm-update', id: 99, lines: [{ text: 'stale' }], loading: false });
  assert.equal(s.mode.kind === 'confirm' && s.mode.dialog.loading, true);
  s = reducer(s, { type: 'confirm-update', id: 1, lines: [{ text: 'PASS' }], loading: false });
  assert.equal(s.mode.kind === 'confirm' && s.mode.dialog.lines[0].text, 'PASS');
  s = reducer(s, { type: 'confirm-focus', focus: 'toggle' });
  assert.equal(s.mode.kind === 'confirm' && s.mode.dialog.focus, 'confirm');
  s = reducer(s, { type: 'confirm-focus', focus: 'toggle' });
  assert.equal(s.mode.kind === 'confirm' && s.mode.dialog.focus, 'cancel');
});

test('applyFilter matches every word, case-insensitively', () => {
  const rows = ['flights-mlp@2 shadow', 'flights-logreg@1 active', 'other'];
  assert.deepEqual(applyFilter(rows, 'FLIGHTS act', (r) => r), ['flights-logreg@1 active']);
  assert.deepEqual(applyFilter(rows, '', (r) => r), rows);
  assert.deepEqual(applyFilter(rows, 'zzz', (r) => r), []);
});

test('command line parsing', () => {
  assert.deepEqual(parseCommand(':promote flights-mlp@3'), { kind: 'promote', target: 'flights-mlp@3', force: false });
  assert.deepEqual(parseCommand('promote flights-mlp@3 --force'), { kind: 'promote', target: 'flights-mlp@3', force: true });
  assert.equal(parseCommand('promote flights-mlp').kind, 'error');
  assert.deepEqual(parseCommand('rollback'), { kind: 'rollback' });
  assert.deepEqual(parseCommand('rollback flights-mlp'), { kind: 'rollback', name: 'flights-mlp' });
  assert.deepEqual(parseCommand('retrain'), { kind: 'retrain' });
  assert.deepEqual(parseCommand('retrain flights-mlp --type mlp --rows 20000'), { kind: 'retrain', model: 'flights-mlp', type: 'mlp', rows: 20000 });
  assert.equal(parseCommand('retrain --type forest').kind, 'error');
  assert.equal(parseCommand('retrain --rows -3').kind, 'error');
  assert.deepEqual(parseCommand('cancel job-7'), { kind: 'cancel', id: 'job-7' });
  assert.deepEqual(parseCommand('q'), { kind: 'quit' });
  assert.deepEqual(parseCommand(':quit'), { kind: 'quit' });
  assert.deepEqual(parseCommand('drift'), { kind: 'screen', id: 'drift' });
  assert.deepEqual(parseCommand('jobs'), { kind: 'screen', id: 'retrain' });
  const bad = parseCommand('frobnicate');
  assert.equal(bad.kind, 'error');
  assert.match(bad.kind === 'error' ? bad.message : '', /Unknown command ":frobnicate"/);
  assert.equal(parseCommand('   ').kind, 'error');
});

test('keyName normalises Ink keys', () => {
  const k = (over: Partial<Key>): Key => ({
    upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
    return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false,
    capsLock: false, numLock: false, ...over,
  } as Key);
  assert.equal(keyName('', k({ downArrow: true })), 'down');
  assert.equal(keyName('', k({ tab: true })), 'tab');
  assert.equal(keyName('', k({ tab: true, shift: true })), 'shift-tab');
  assert.equal(keyName('', k({ return: true })), 'enter');
  assert.equal(keyName('', k({ escape: true })), 'esc');
  assert.equal(keyName('c', k({ ctrl: true })), 'ctrl-c');
  assert.equal(keyName('p', k({})), 'p');
  assert.equal(keyName('G', k({ shift: true })), 'G');
  assert.equal(keyName('[A', k({})), 'up', 'tail of an arrow split from its ESC');
  assert.equal(keyName('[Z', k({})), 'shift-tab');
});

const form = (over: Partial<FormDialog> = {}): FormDialog => ({
  id: 7, title: 'Pin', lines: [], confirmLabel: 'Pin', loading: true, error: null, focus: 3, submit: () => null,
  fields: [{ label: 'from', value: '', edited: false }, { label: 'until', value: '', edited: false }], ...over,
});

test('form dialog: opens on its first field; late defaults fill only the fields not typed in; focus wraps over fields and buttons', () => {
  let s = reducer(initialState(), { type: 'form-open', form: form() });
  assert.equal(s.mode.kind === 'form' && s.mode.form.focus, 0, 'typing goes to the first field');
  s = reducer(s, { type: 'form-edit', text: '2001-03-01' });
  // The suggestion arrives after the operator typed in `from`: only `until` takes it.
  s = reducer(s, { type: 'form-update', id: 7, lines: [{ text: 'suggested' }], values: ['2001-02-01', '2001-02-08'], loading: false });
  assert.ok(s.mode.kind === 'form');
  assert.deepEqual(s.mode.form.fields.map((f) => f.value), ['2001-03-01', '2001-02-08']);
  assert.equal(s.mode.form.loading, false);
  // An answer for an older dialog changes nothing.
  const same = reducer(s, { type: 'form-update', id: 6, lines: [], values: ['x', 'y'], loading: false });
  assert.equal(same, s);
  // Editing a button does nothing; an error clears on the next edit.
  s = reducer(s, { type: 'form-focus', delta: 2 });
  assert.ok(s.mode.kind === 'form' && s.mode.form.focus === 2);
  assert.equal(reducer(s, { type: 'form-edit', text: 'zz' }), s);
  s = reducer(s, { type: 'form-error', error: 'until must be after from' });
  s = reducer(s, { type: 'form-focus', delta: 2 });
  assert.ok(s.mode.kind === 'form' && s.mode.form.focus === 0, 'round from the action button to the first field');
  s = reducer(s, { type: 'form-focus', delta: -1 });
  assert.ok(s.mode.kind === 'form' && s.mode.form.focus === 3);
  s = reducer(s, { type: 'form-focus', delta: 1 });
  s = reducer(s, { type: 'form-edit', text: '2001-03-02' });
  assert.ok(s.mode.kind === 'form');
  assert.equal(s.mode.form.error, null);
  assert.equal(s.mode.form.fields[0].value, '2001-03-02');
});

test(':reference needs NAME@VERSION', () => {
  assert.deepEqual(parseCommand(':reference flights-mlp@2'), { kind: 'reference', target: 'flights-mlp@2' });
  assert.equal(parseCommand('reference flights-mlp').kind, 'error');
  assert.equal(parseCommand('reference').kind, 'error');
});

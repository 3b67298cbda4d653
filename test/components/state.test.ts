import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFilter, initialState, reducer, type ConfirmDialog } from '../../components/state.js';
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

import React from 'react';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderConsole, NO_TTY_MESSAGE } from '../../components/render.js';
import { makeSnapshot, recorder, source, until } from './fixtures.js';
import { fakeTty } from '../helpers/fakeTty.js';

void React;

const io = (tty = true) => fakeTty(tty);

const props = () => ({ snapshots: source(makeSnapshot()), commands: recorder(), noColor: true });

test('refuses without a terminal, pointing to status --json', async () => {
  for (const [outTty, inTty] of [[false, true], [true, false]]) {
    const t = io();
    t.stdout.isTTY = outTty;
    t.stdin.isTTY = inTty;
    await assert.rejects(renderConsole(props(), t.as), (e: Error) => e.message === NO_TTY_MESSAGE);
    assert.equal(t.stdout.text, '', 'nothing written to a non-terminal');
  }
  assert.match(NO_TTY_MESSAGE, /mlops-tui status --json/);
  assert.ok(!/[.!?]\s+\S/.test(NO_TTY_MESSAGE), 'one sentence');
});

test('enters the alternate screen, draws the console, leaves it when q quits', async () => {
  const t = io();
  let done = false;
  const p = renderConsole(props(), t.as).then(() => (done = true));
  // Ink reads keys once its readable listener is on stdin (an effect after the first frame).
  await until(() => /1 Overview/.test(t.stdout.text) && t.stdin.listenerCount('readable') > 0, 'the console to draw and read keys');
  assert.ok(t.stdout.text.startsWith('\u001b[?1049h'));
  assert.match(t.stdout.text, /1 Overview/);
  assert.ok(!t.stdout.text.includes('\u001b[?1049l'));
  assert.equal(done, false);
  t.stdin.write('q');
  await p;
  assert.ok(t.stdout.text.endsWith('\u001b[?1049l') || t.stdout.text.lastIndexOf('\u001b[?1049l') > t.stdout.text.lastIndexOf('Overview'));
  assert.equal(t.stdout.text.split('\u001b[?1049l').length - 1, 1, 'left exactly once');
});

test('SIGTERM unmounts, restores the screen and resolves', async () => {
  const t = io();
  const before = process.listenerCount('SIGTERM');
  const p = renderConsole(props(), t.as);
  await until(() => /1 Overview/.test(t.stdout.text), 'the console to draw');
  const saved = process.exitCode;
  process.emit('SIGTERM', 'SIGTERM');
  await p;
  assert.equal(process.exitCode, 143);
  process.exitCode = saved;
  assert.ok(t.stdout.text.includes('\u001b[?1049l'));
  assert.equal(process.listenerCount('SIGTERM'), before, 'signal handlers removed');
});

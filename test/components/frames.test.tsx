// What makes the console draw (issue 14): a snapshot that shows nothing new draws no frame; one
// that changes what is shown, or the clock's second, does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../components/App.js';
import { sameView } from '../../components/useShownSnapshot.js';
import { makeSnapshot, recorder, source } from './fixtures.js';
import { turn, untilReading, waitForFrame } from './harness.js';

test('a snapshot equal to the one shown, within the same second, draws no frame; a change does', async () => {
  const first = makeSnapshot();
  const src = source(first);
  const r = render(<App snapshots={src} commands={recorder()} noColor size={{ columns: 120, rows: 30 }} />);
  const stdin = r.stdin as unknown as Parameters<typeof untilReading>[0];
  await untilReading(stdin, r.lastFrame);
  const frame = () => r.lastFrame() ?? '';
  try {
    await waitForFrame(frame, /flights-logreg@1/);
    // Let the first frames settle (useInput's effect, the first layout).
    for (let i = 0; i < 10; i++) await turn();
    const before = r.frames.length;

    // The engine's idle tick: a new object, the same content, 200 ms later.
    src.push(structuredClone({ ...first, at: first.at + 200 }));
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(r.frames.length, before, 'an unchanged snapshot drew a frame');

    // A change that shows: ingest moved on.
    src.push({ ...first, at: first.at + 400, ingest: { ...first.ingest, quarantined: 4 } });
    await waitForFrame(frame, / 4 quar\./);
    const afterChange = r.frames.length;
    assert.ok(afterChange > before);

    // The clock's next second shows in the header.
    const next = { ...first, at: first.at + 1_000, ingest: { ...first.ingest, quarantined: 4 } };
    src.push(next);
    await waitForFrame(frame, /22:00:01/);
  } finally {
    r.unmount();
  }
});

test('sameView compares everything but the clock within its second', () => {
  const a = makeSnapshot();
  assert.equal(sameView(a, structuredClone(a)), true);
  assert.equal(sameView(a, { ...a, at: a.at + 999 }), true);
  assert.equal(sameView(a, { ...a, at: a.at + 1000 }), false);
  assert.equal(sameView(a, { ...a, openPages: 2 }), false);
  const deep = structuredClone(a);
  deep.drift.features[0].history[0] = 0.5;
  assert.equal(sameView(a, deep), false);
  assert.equal(sameView(null, a), false);
  assert.equal(sameView(null, null), true);
});

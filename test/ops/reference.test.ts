/**
 * Pinning a CBPE reference from the console (issue 12): the Models screen's `r` sends
 * suggestReference / pinReference through the engine's commands (src/engine/operations.ts) to the
 * ops function `mlops-tui reference set` calls (src/ops/reference.ts). On a real store: the dialog's
 * default is the model's first labelled week, a pin is audited and reaches the live engine's
 * estimate, bad requests come back as one sentence, and the CLI fits the same reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { writeSynthetic, syntheticStore } from '../registry/storeFixture.js';
import { DEFAULT_CONFIG, type Config } from '../../src/config.js';
import { Engine } from '../../src/engine/engine.js';
import { Operations } from '../../src/engine/operations.js';
import { openDb } from '../../store/db.js';
import { auditTrail } from '../../store/audit.js';
import { pinnedReferences } from '../../store/cbpeReferences.js';
import { until } from '../components/fixtures.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');
const DAY = 86_400_000;

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * Model m@1 (registered, active): 2,000 unlabelled requests on 2001-01-01, then 3,000 labelled
 * ones from 2001-01-03 05:00 and 1,000 more labelled on 2001-01-12, after the first labelled week.
 */
function store(): { dir: string; config: Config; labelledInWeek: number } {
  const dir = tempDir();
  const dbPath = join(dir, 'mlops.db');
  const models = [{ name: 'm', noise: 0.8, alias: 'active' as const }];
  syntheticStore(dbPath, models, { rows: 2_000, labelShare: 0, t0: Date.UTC(2001, 0, 1) }).close();
  const db = openDb(dbPath);
  try {
    const week = writeSynthetic(db, models, { rows: 3_000, start: 2_000, seed: 11, t0: Date.UTC(2001, 0, 3, 5) - 2_000 * 1000 });
    writeSynthetic(db, models, { rows: 1_000, start: 5_000, seed: 12, t0: Date.UTC(2001, 0, 12) - 5_000 * 1000 });
    const labelledInWeek = week.labels.filter((y) => y !== null).length;
    return { dir, config: { ...DEFAULT_CONFIG, db: dbPath, watch: join(dir, 'predictions') }, labelledInWeek };
  } finally {
    db.close();
  }
}

test('the console pins a reference through the engine commands: first labelled week suggested, audited, picked up by the live estimate', async () => {
  const { dir, config, labelledInWeek } = store();
  const engine = new Engine({ config, ingest: false });
  await engine.start();
  await engine.caughtUp();
  const ops = new Operations(engine, config);
  let fitted: { rows: number; accuracy: number; threshold: { lower: number; upper: number } };
  try {
    const s = await ops.suggestReference('m@1');
    assert.equal(s.error, null);
    assert.equal(s.from, Date.UTC(2001, 0, 3), 'the day of the first labelled prediction, from midnight UTC');
    assert.equal(s.until, Date.UTC(2001, 0, 10), 'a week later');
    assert.equal(s.labelled, labelledInWeek, 'the labelled predictions of that week, not those of 01-12');
    assert.equal(s.needed, 500);
    assert.equal(s.current, null, 'm@1 has no reference: its artifact holds no hold-out');

    const r = await ops.pinReference('m@1', s.from!, s.until!);
    assert.equal(r.ok, true, r.message);
    assert.match(r.message, new RegExp(`^m@1: CBPE reference pinned, ${labelledInWeek} labelled rows 2001-01-03 00:00 … 2001-01-10 00:00, realised accuracy \\d+\\.\\d%$`));
    const audit = auditTrail(engine.db, 10).find((a) => a.action === 'reference-set');
    assert.ok(audit, 'audited');
    assert.equal(audit.subject, 'm@1');
    const pinned = pinnedReferences(engine.db);
    assert.equal(pinned.length, 1);
    assert.deepEqual([pinned[0].from, pinned[0].until, pinned[0].rows], [Date.UTC(2001, 0, 3), Date.UTC(2001, 0, 10), labelledInWeek]);
    fitted = JSON.parse(pinned[0].reference) as typeof fitted;

    // The live engine's monitor takes it (the Models screen's reference line and the estimates read this).
    await until(() => engine.buildSnapshot().estimates.find((e) => e.model === 'm@1')?.reference?.source === 'pinned', 'the pinned reference in the snapshot');
    const e = engine.buildSnapshot().estimates.find((x) => x.model === 'm@1')!;
    assert.deepEqual(e.reference, { source: 'pinned', rows: labelledInWeek, from: Date.UTC(2001, 0, 3), until: Date.UTC(2001, 0, 10) });
    assert.ok(e.windows.every((w) => w.estimated === null), 'windows estimated before the pin keep what was known then');
    // Traffic after the pin is estimated with it.
    const more = openDb(config.db);
    try {
      writeSynthetic(more, [{ name: 'm', noise: 0.8 }], { rows: 600, start: 6_000, seed: 13, labelShare: 0, t0: Date.UTC(2001, 0, 13) - 6_000 * 1000 });
    } finally {
      more.close();
    }
    engine.kick();
    await until(() => engine.buildSnapshot().estimates.find((x) => x.model === 'm@1')!.windows.some((w) => w.estimated !== null && w.start === Date.UTC(2001, 0, 13)), 'an estimate for 2001-01-13');
    const again = await ops.suggestReference('m@1');
    assert.equal(again.current?.source, 'pinned', 'the dialog shows what a new pin would replace');

    // Requests that cannot succeed come back as one sentence on the flash line, and pin nothing.
    const few = await ops.pinReference('m@1', Date.UTC(2001, 0, 3, 5), Date.UTC(2001, 0, 3, 5, 5));
    assert.equal(few.ok, false);
    assert.match(few.message, /^reference not pinned: a CBPE reference needs at least 500 labelled rows, got 300$/);
    const bad = await ops.pinReference('m', 0, 1);
    assert.match(bad.message, /^reference not pinned: "m" must be NAME@VERSION/);
    const backwards = await ops.pinReference('m@1', Date.UTC(2001, 0, 10), Date.UTC(2001, 0, 3));
    assert.match(backwards.message, /^reference not pinned: the end of the period must be after its start$/);
    const unknown = await ops.suggestReference('nobody@3');
    assert.deepEqual([unknown.from, unknown.labelled, unknown.current, unknown.error], [null, 0, null, null]);
    assert.equal(pinnedReferences(engine.db).length, 1);
  } finally {
    ops.close();
    await engine.stop();
  }

  // `mlops-tui reference set` goes through the same ops function: the same period fits the same reference.
  const out = await cli(['--db', config.db, 'reference', 'set', 'm@1', '--from', '2001-01-03', '--until', '2001-01-10', '--json'], dir);
  assert.equal(out.code, 0, out.stderr);
  const viaCli = JSON.parse(out.stdout) as typeof fitted;
  assert.equal(viaCli.rows, fitted.rows);
  assert.equal(viaCli.accuracy, fitted.accuracy);
  assert.deepEqual(viaCli.threshold, fitted.threshold);
  const db = openDb(config.db);
  try {
    assert.equal(auditTrail(db, 10).filter((a) => a.action === 'reference-set').length, 2);
  } finally {
    db.close();
  }
});

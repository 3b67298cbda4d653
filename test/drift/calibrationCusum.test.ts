import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDetector, restoreDetector } from '../../src/drift/detectors/index.js';
import { mulberry32 } from '../../src/util/random.js';

/** A calibrated model's stream whose positive rate ramps up and down every "day" of 2,500 rows. */
function stream(n: number, seed: number, shiftAt = Infinity, shift = 0): Array<{ p: number; y: number }> {
  const u = mulberry32(seed);
  const out: Array<{ p: number; y: number }> = [];
  for (let i = 0; i < n; i++) {
    const p = 0.05 + 0.3 * (i % 2500) / 2500; // evenings are worse, and the model knows it
    const truth = Math.min(1, p + (i >= shiftAt ? shift : 0));
    out.push({ p, y: u() < truth ? 1 : 0 });
  }
  return out;
}

test('quiet on a calibrated stream with a daily ramp (where an adaptive detector fires)', () => {
  let cusumAlarms = 0;
  let phAlarms = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const cusum = createDetector('calibration-cusum');
    const ph = createDetector('page-hinkley', { mode: 'up' });
    for (const { p, y } of stream(50_000, seed)) {
      cusum.update(y - p);
      ph.update(y === (p >= 0.5 ? 1 : 0) ? 0 : 1);
      if (cusum.driftDetected) cusumAlarms++;
      if (ph.driftDetected) phAlarms++;
    }
  }
  assert.equal(cusumAlarms, 0, 'no false alarm in 20 × 50,000 rows');
  assert.ok(phAlarms > 20, `Page–Hinkley on the error stream fires on the ramp (${phAlarms} alarms)`);
});

test('fires within a bounded delay when outcomes become worse than the model expects', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const d = createDetector('calibration-cusum');
    const rows = stream(20_000, seed, 10_000, 0.2);
    let at = -1;
    rows.forEach(({ p, y }, i) => {
      d.update(y - p);
      if (d.driftDetected && at < 0) at = i;
    });
    assert.ok(at >= 10_000, `no alarm before the change (seed ${seed}, at ${at})`);
    assert.ok(at - 10_000 <= 600, `alarm within 600 rows of the change (seed ${seed}: ${at - 10_000})`);
  }
});

test('state survives a JSON round trip mid-stream', () => {
  const rows = stream(20_000, 7, 10_000, 0.2);
  const a = createDetector('calibration-cusum');
  let b = createDetector('calibration-cusum');
  const hitsA: number[] = [];
  const hitsB: number[] = [];
  rows.forEach(({ p, y }, i) => {
    if (i === 10_150) b = restoreDetector(JSON.parse(JSON.stringify(b.toJSON())));
    a.update(y - p);
    b.update(y - p);
    if (a.driftDetected) hitsA.push(i);
    if (b.driftDetected) hitsB.push(i);
  });
  assert.ok(hitsA.length > 0);
  assert.deepEqual(hitsB, hitsA);
});

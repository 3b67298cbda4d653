/**
 * `--metrics PORT` (issue 14): the real `ingest` and the real console (in tmux) serve their
 * figures on GET /metrics in the Prometheus text format, read from what they already know.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labelLine, predictionLine, tempDir } from '../helpers/tmp.js';
import { skipWithoutTmux, sleep, startTmux } from '../helpers/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));

function metric(text: string, name: string): number | null {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

async function scrapeUntil(url: string, ok: (text: string) => boolean, ms: number): Promise<string> {
  const until = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const r = await fetch(url);
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      last = await r.text();
      if (ok(last)) return last;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`metrics never matched; last scrape:\n${last}`);
    await sleep(200);
  }
}

test('ingest --metrics: rate, rows and quarantined lines on GET /metrics while it watches', { timeout: 120_000 }, async () => {
  const dir = tempDir('mlops-metrics-ingest-');
  const watch = join(dir, 'predictions');
  mkdirSync(watch);
  const log = join(watch, 'serve.jsonl');
  writeFileSync(log, `${Array.from({ length: 300 }, (_, i) => predictionLine(i)).join('\n')}\n`);
  const child = spawn(process.execPath, [BIN, '--db', join(dir, 'm.db'), '--watch', watch, 'ingest', '--metrics', '0'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: string) => {
        stderr += d;
        const m = /metrics on (http:\/\/\S+\/metrics)/.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`ingest exited with ${code}: ${stderr}`)));
    });
    await scrapeUntil(url, (t) => metric(t, 'mlops_ingest_predictions') === 300, 30_000);
    appendFileSync(log, `${labelLine(1)}\n{"not json\n${predictionLine(300)}\n`);
    const text = await scrapeUntil(url, (t) => metric(t, 'mlops_ingest_predictions') === 301, 30_000);
    assert.equal(metric(text, 'mlops_ingest_labels'), 1);
    assert.equal(metric(text, 'mlops_ingest_quarantined_lines'), 1);
    assert.ok((metric(text, 'mlops_ingest_lines_per_second') ?? -1) >= 0);
    assert.match(text, /# TYPE mlops_ingest_lines_per_second gauge/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  assert.match(stderr, /SIGTERM: stopped/);
});

test('ingest --metrics refuses a port that is not one, in one sentence, exit 2', async () => {
  const dir = tempDir('mlops-metrics-bad-');
  const child = spawn(process.execPath, [BIN, '--db', join(dir, 'm.db'), '--watch', dir, 'ingest', '--metrics', 'x'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => { stderr += d; });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 2);
  assert.equal(stderr, 'mlops-tui: --metrics must be an integer from 0 to 65535, not "x"\n');
});

test('console --metrics: the snapshot\'s figures on GET /metrics while the console runs', { timeout: 120_000 }, async (t) => {
  if (skipWithoutTmux(t)) return;
  const dir = tempDir('mlops-metrics-console-');
  const watch = join(dir, 'predictions');
  mkdirSync(watch);
  writeFileSync(join(watch, 'serve.jsonl'), `${Array.from({ length: 500 }, (_, i) => predictionLine(i)).join('\n')}\n{"bad\n`);
  // A free port picked by the OS, then handed to the console (it prints nothing on its screen).
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const s = startTmux({ cols: 120, rows: 40, cwd: dir });
  t.after(() => s.kill());
  s.run(`node ${BIN} --db ${join(dir, 'm.db')} --watch ${watch} console --metrics ${port}`);
  const text = await scrapeUntil(`http://127.0.0.1:${port}/metrics`, (x) => metric(x, 'mlops_ingest_predictions') === 500 && metric(x, 'mlops_ingest_caught_up') === 1, 60_000);
  assert.equal(metric(text, 'mlops_ingest_quarantined_lines'), 1);
  // Caught up: nothing of the watched file is behind (test/metrics/lag.test.ts measures real lag).
  await scrapeUntil(`http://127.0.0.1:${port}/metrics`, (x) => metric(x, 'mlops_ingest_lag_bytes') === 0, 30_000);
  for (const family of ['mlops_drift_level', 'mlops_model_accuracy', 'mlops_model_estimated_accuracy', 'mlops_alerts_open', 'mlops_dataset_drifted']) {
    assert.match(text, new RegExp(`# TYPE ${family} gauge`));
  }
  s.sendKeys('q');
  assert.equal(await s.exitCode(20_000), 0);
});

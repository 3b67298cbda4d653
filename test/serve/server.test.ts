import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../store/db.js';
import { currentOperator } from '../../store/audit.js';
import { promoteModel } from '../../store/registry.js';
import { startServer } from '../../src/serve/server.js';
import { tinyRegistry } from '../helpers/tinyRegistry.js';
import { tempDir } from '../helpers/tmp.js';

const features = { hour: 18, dow: 'Fri', distance: 405, origin: 'MCI', destination: 'MDW' };

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

test('serve answers with the active model, logs every serving model and labels, and follows a promotion', async () => {
  const { dbPath } = await tinyRegistry();
  const out = join(tempDir(), 'predictions');
  const db = openDb(dbPath);
  const s = await startServer(db, { out, port: 0, registryPollMs: 50 });
  try {
    const a = await post(`${s.url}/predict`, { id: 'r-1', ts: '2001-03-02T18:00:00Z', features });
    assert.equal(a.status, 200);
    assert.equal(a.json.model, 'logreg');
    assert.deepEqual(a.json.shadows, ['mlp@1']);
    assert.ok(typeof a.json.score === 'number' && a.json.score >= 0 && a.json.score <= 1);
    assert.equal((await post(`${s.url}/label`, { id: 'r-1', label: 1, ts: '2001-03-02T20:00:00Z' })).status, 200);
    assert.equal((await post(`${s.url}/predict`, { features: 'x' })).status, 400);
    assert.equal((await post(`${s.url}/label`, { label: 1 })).status, 400);

    // Another process (here: the same database) promotes the shadow; the next answer follows it.
    const other = openDb(dbPath);
    promoteModel(other, 'mlp', 1, currentOperator());
    other.close();
    await new Promise((r) => setTimeout(r, 120));
    const b = await post(`${s.url}/predict`, { id: 'r-2', ts: '2001-03-02T18:05:00Z', features });
    assert.equal(b.json.model, 'mlp');
  } finally {
    await s.close();
    db.close();
  }
  {
    // close() wrote what was queued: the log is complete once the server has stopped.
    const file = readdirSync(out);
    assert.deepEqual(file, ['serve-2001-03-02.jsonl']);
    const lines = readFileSync(join(out, file[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.filter((l) => l.id === 'r-1' && 'model' in l).length, 2, 'active and shadow both logged');
    assert.equal(lines.filter((l) => 'label' in l && !('model' in l)).length, 1);
    assert.equal(lines.filter((l) => l.id === 'r-2' && 'model' in l).length, 2);
  }
});

test('a promotion under load: every answered request is logged by the models that served it, with the answered score, before its label', { timeout: 120_000 }, async () => {
  // Shadows are scored after the answer is written; a registry change in between must not lose
  // them (the old set's predictors are disposed when the set changes) nor mix the two sets.
  const { dbPath } = await tinyRegistry();
  const out = join(tempDir(), 'predictions');
  const db = openDb(dbPath);
  const s = await startServer(db, { out, port: 0, registryPollMs: 10 });
  const answers = new Map<string, { model: string; score: number }>();
  const labelled: string[] = [];
  let promoted = false;
  try {
    const client = async (c: number): Promise<void> => {
      for (let i = 0; ; i++) {
        const id = `p${c}-${i}`;
        const a = await post(`${s.url}/predict`, { id, ts: '2001-03-02T18:00:00Z', features: { ...features, hour: (c + i) % 24 } });
        assert.equal(a.status, 200);
        answers.set(id, { model: a.json.model as string, score: a.json.score as number });
        if (i % 7 === 0) {
          assert.equal((await post(`${s.url}/label`, { id, label: i % 2, ts: '2001-03-02T19:00:00Z' })).status, 200);
          labelled.push(id);
        }
        if (!promoted && answers.size >= 300) {
          promoted = true;
          const other = openDb(dbPath);
          promoteModel(other, 'mlp', 1, currentOperator());
          other.close();
        }
        if ([...answers.values()].filter((x) => x.model === 'mlp').length >= 300) return;
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
  } finally {
    await s.close();
    db.close();
  }
  const lines = readFileSync(join(out, 'serve-2001-03-02.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; model?: string; score?: number; label?: number });
  const byId = new Map<string, { at: number; model?: string; score?: number; label?: number }[]>();
  lines.forEach((l, at) => byId.set(l.id, [...(byId.get(l.id) ?? []), { ...l, at }]));
  const byModel = { logreg: 0, mlp: 0 };
  for (const [id, a] of answers) {
    const got = byId.get(id) ?? [];
    const predictions = got.filter((l) => l.model !== undefined);
    assert.deepEqual(predictions.map((l) => l.model).sort(), ['logreg', 'mlp'], `request ${id}`);
    const answered = predictions.find((l) => l.model === a.model)!;
    assert.equal(answered.score, a.score, `request ${id}: the logged score of ${a.model} is the answered one`);
    byModel[a.model as 'logreg' | 'mlp']++;
  }
  assert.ok(byModel.logreg >= 300 && byModel.mlp >= 300, JSON.stringify(byModel));
  for (const id of labelled) {
    const got = byId.get(id)!;
    const label = got.find((l) => l.label !== undefined)!;
    assert.ok(got.filter((l) => l.model !== undefined).every((l) => l.at < label.at), `the label of ${id} follows its predictions`);
  }
  assert.equal(lines.length, answers.size * 2 + labelled.length);
});

test('/healthz says whether a model serves; /metrics speaks the Prometheus text format', async () => {
  const { dbPath } = await tinyRegistry();
  const out = join(tempDir(), 'predictions');
  const db = openDb(dbPath);
  const s = await startServer(db, { out, port: 0 });
  try {
    const h = await fetch(`${s.url}/healthz`);
    assert.equal(h.status, 200);
    assert.deepEqual(await h.json(), { ok: true, active: 'logreg@1' });
    for (let i = 0; i < 5; i++) assert.equal((await post(`${s.url}/predict`, { id: `m-${i}`, features })).status, 200);
    assert.equal((await post(`${s.url}/predict`, { features: 1 })).status, 400);
    const r = await fetch(`${s.url}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    const value = (re: RegExp): number => {
      const m = re.exec(text);
      assert.ok(m, `no ${re} in\n${text}`);
      return Number(m[1]);
    };
    assert.match(text, /# TYPE mlops_serve_predict_duration_seconds histogram/);
    assert.equal(value(/^mlops_serve_requests_total\{route="\/predict",status="200"\} (\d+)$/m), 5);
    assert.equal(value(/^mlops_serve_requests_total\{route="\/predict",status="400"\} (\d+)$/m), 1);
    assert.equal(value(/^mlops_serve_predict_duration_seconds_count\{model="logreg@1"\} (\d+)$/m), 5);
    assert.equal(value(/^mlops_serve_scoring_duration_seconds_count\{model="logreg@1",role="active"\} (\d+)$/m), 5);
    assert.equal(value(/^mlops_serve_scoring_duration_seconds_count\{model="mlp@1",role="shadow"\} (\d+)$/m), 5);
    assert.equal(value(/^mlops_serve_active_model\{model="logreg@1"\} (\d+)$/m), 1);
    assert.ok(value(/^mlops_serve_log_queue_lines (\d+)$/m) >= 0);
    // Every line answered so far is written or queued: 5 requests × 2 models.
    assert.equal(value(/^mlops_serve_log_queue_lines (\d+)$/m) + value(/^mlops_serve_log_lines_written_total (\d+)$/m), 10);
  } finally {
    await s.close();
    db.close();
  }
  // Without an active model /healthz says so with a 503.
  const empty = openDb(join(tempDir(), 'empty.db'));
  const e = await startServer(empty, { out, port: 0 });
  try {
    const h = await fetch(`${e.url}/healthz`);
    assert.equal(h.status, 503);
    assert.match(((await h.json()) as { error: string }).error, /no active model/);
  } finally {
    await e.close();
    empty.close();
  }
});

test('SIGTERM under load: every request `serve` answered is in the log after it exits', { timeout: 180_000 }, async () => {
  const { dbPath } = await tinyRegistry();
  const out = join(tempDir(), 'predictions');
  const bin = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
  const child = spawn(process.execPath, [bin, '--db', dbPath, 'serve', '--port', '0', '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: string) => {
      stderr += d;
      const m = /serving on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const answered = new Set<string>();
  let sent = 0;
  let stop = false;
  // 32 clients sending back to back; SIGTERM once 2,000 requests are answered, while they keep sending.
  const client = async (c: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      const id = `c${c}-${i}`;
      sent++;
      try {
        const r = await fetch(`${url}/predict`, { method: 'POST', body: JSON.stringify({ id, ts: '2001-03-02T18:00:00Z', features }) });
        if (r.status === 200) {
          await r.json();
          answered.add(id);
        } else {
          await r.arrayBuffer();
        }
        if (answered.size >= 2000 && child.exitCode === null && !child.killed) child.kill('SIGTERM');
      } catch {
        // Refused or reset: the server is going away. Not answered, so not owed to the log.
        if (child.exitCode !== null) stop = true;
      }
    }
  };
  const clients = Array.from({ length: 32 }, (_, c) => client(c));
  const code = await exited;
  stop = true;
  await Promise.all(clients);
  assert.equal(code, 0, stderr);
  assert.ok(answered.size >= 2000, `answered ${answered.size} of ${sent}`);
  const lines = readFileSync(join(out, 'serve-2001-03-02.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; model: string });
  const logged = new Map<string, number>();
  for (const l of lines) logged.set(l.id, (logged.get(l.id) ?? 0) + 1);
  const missing = [...answered].filter((id) => logged.get(id) !== 2);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${answered.size} answered requests lack their two log lines`);
});

// `mlops-tui retrain` as a child process against a real store, including a kill -9 mid-job.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { getJob, listJobs } from '../../store/jobs.js';
import { listModels } from '../../store/registry.js';
import { JobRunner } from '../../src/retrain/jobRunner.js';
import { seaStream } from '../helpers/sea.js';
import { OPERATOR, seaStore, T0 } from './seaDb.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
const run = promisify(execFile);

const store = await seaStore(3000);
const base = ['--db', store.cfg.db];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...base, ...args], { cwd: store.dir });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

test('retrain --help shows an example', async () => {
  const r = await cli(['retrain', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Examples:\n {2}mlops-tui retrain --wait/);
});

test('retrain --wait registers a shadow, prints its held-out metrics and exits 0', async () => {
  const r = await cli(['retrain', '--model', 'sea', '--rows', '2000', '--epochs', '6', '--wait']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^registered sea@2 as shadow \(job #\d+\): held-out accuracy 0\.\d{4}, log loss 0\.\d{4}, AUC 0\.\d{4} on \d+ held-out rows; trained on \d+ rows of sea@1/);
  assert.match(r.stderr, /epoch 1\/6/);
  assert.equal(listModels(store.db).find((m) => m.version === 2)?.alias, 'shadow');
});

test('without --wait the job is queued for any runner; --list shows it; --cancel cancels it', async () => {
  const q = await cli(['retrain', '--since', new Date(T0).toISOString(), '--type', 'mlp']);
  assert.equal(q.code, 0, q.stderr);
  const id = Number(/queued job #(\d+)/.exec(q.stdout)![1]);
  const job = getJob(store.db, id)!;
  assert.equal(job.status, 'queued');
  assert.equal(job.pid, null);
  assert.equal(job.type, 'mlp');
  const list = await cli(['retrain', '--list']);
  assert.match(list.stdout, new RegExp(`#${id} +queued +sea \\(mlp\\)`));
  const c = await cli(['retrain', '--cancel', String(id)]);
  assert.equal(c.code, 0);
  assert.match(c.stdout, new RegExp(`job #${id} cancelled`));
  assert.equal(getJob(store.db, id)!.status, 'cancelled');
});

test('a failing job exits 1 with its error; bad usage exits 2', async () => {
  await store.log(seaStream([{ theta: -1, rows: 300 }], 21, 0), 50_000, 'zeros.jsonl');
  const before = listModels(store.db).length;
  const r = await cli(['retrain', '--since', new Date(T0 + 50_000_000).toISOString(), '--wait']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /mlops-tui: job #\d+ failed: the label needs at least two classes, found 1/);
  assert.equal(listModels(store.db).length, before);
  assert.equal((await cli(['retrain', '--rows', '10', '--since', '2026-01-01'])).code, 2);
  assert.equal((await cli(['retrain', '--type', 'forest'])).code, 2);
  const unknown = await cli(['retrain', '--model', 'nope', '--wait']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no model named "nope"/);
});

test('a job running in a process that is killed shows as interrupted at the next start', async () => {
  const before = listModels(store.db).length;
  const child = spawn(process.execPath, [BIN, ...base, 'retrain', '--model', 'sea', '--epochs', '2000', '--wait'], { cwd: store.dir, stdio: 'ignore' });
  let job = null;
  for (let i = 0; i < 600; i++) {
    job = listJobs(store.db, 1)[0]!;
    if (job.pid === child.pid && job.status === 'running' && job.epoch >= 1) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(job!.status, 'running');
  assert.equal(job!.pid, child.pid);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  assert.equal(getJob(store.db, job!.id)!.status, 'running', 'the row still says running after the kill');
  const runner = new JobRunner({ db: store.db, config: store.cfg, operator: OPERATOR, pollMs: 0 });
  const after = runner.get(job!.id)!;
  assert.equal(after.status, 'interrupted');
  assert.ok(after.epoch >= 1, 'its progress stays visible');
  assert.match(after.log, /interrupted: the process that ran this job \(pid \d+\) is gone/);
  assert.equal(listModels(store.db).length, before, 'nothing was registered');
  await runner.close();
});

// JobRunner against a real store (logged and ingested SEA traffic) and real worker threads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { getJob, insertJob, requestCancel } from '../../store/jobs.js';
import { listModels } from '../../store/registry.js';
import { JobRunner, RetrainError, type JobEvent } from '../../src/retrain/jobRunner.js';
import { enqueueRetrain } from '../../src/retrain/jobRunner.js';
import { toSnapshotJob } from '../../src/retrain/jobView.js';
import { seaStream } from '../helpers/sea.js';
import { OPERATOR, seaStore, T0 } from './seaDb.js';

const FAST = { epochs: 4, learningRate: 0.05, batchSize: 128 };
/** Long enough to cancel in the middle: many small batches, no early stopping. */
const SLOW = { epochs: 500, patience: 500, batchSize: 16 };

const store = await seaStore(4000);

function runner(extra: Partial<ConstructorParameters<typeof JobRunner>[0]> = {}): JobRunner {
  return new JobRunner({ db: store.db, config: store.cfg, operator: OPERATOR, pollMs: 0, ...extra });
}

test('a retrain registers a shadow version, records progress and metrics, and the second job of a model waits for the first', async () => {
  const r = runner({ tuning: FAST, progressWriteMs: 0 });
  const events: JobEvent[] = [];
  r.subscribe((e) => events.push(e));
  const a = r.start({ model: 'sea', rows: 3000 });
  const b = r.start({ model: 'sea', rows: 2000, type: 'mlp' });
  assert.equal(r.get(b)!.status, 'queued');
  const first = await r.wait(a);
  assert.equal(first.status, 'done', first.error ?? '');
  assert.equal(first.result, 'sea@2');
  // b could not start while a ran: its start is after a's end.
  const second = await r.wait(b);
  assert.equal(second.status, 'done', second.error ?? '');
  assert.equal(second.result, 'sea@3');
  assert.equal(second.type, 'mlp');
  assert.ok(second.startedAt! >= first.finishedAt!, 'one running job per model');
  const statuses = events.filter((e): e is Extract<JobEvent, { kind: 'status' }> => e.kind === 'status' && e.job.id === a).map((e) => e.job.status);
  assert.deepEqual([...new Set(statuses)], ['queued', 'running', 'done']);
  const epochs = events.filter((e) => e.kind === 'progress' && e.id === a && e.progress.phase === 'epoch').length;
  assert.equal(epochs, first.epoch, 'every epoch was emitted and the last one written');
  assert.equal(first.epochs, 4);
  assert.ok(first.loss !== null && first.valMetric !== null && first.valMetric > 0.5);
  assert.equal(first.etaSeconds, null, 'no ETA once finished');
  assert.match(first.log, /queued[\s\S]*started[\s\S]*read 3000 labelled rows of sea@1[\s\S]*epoch 1\/4[\s\S]*registered sea@2 as shadow/);
  assert.equal(first.metrics!.trainedRows + first.metrics!.rows, 3000);
  assert.equal(first.metrics!.source, 'sea@1');
  const models = listModels(store.db);
  assert.deepEqual(models.map((m) => [m.version, m.alias]), [[1, 'active'], [2, 'shadow'], [3, 'shadow']]);
  assert.equal(r.list()[0]!.id, b, 'newest first');
  assert.deepEqual(toSnapshotJob(first), {
    id: String(a), model: 'sea', type: 'logreg', status: 'done', epoch: first.epoch, epochs: 4, loss: first.loss, valMetric: first.valMetric,
    valMetricName: 'auc', etaSeconds: null, createdAt: first.createdAt, result: 'sea@2', error: null, stopped: 'ran all 4 epochs',
  });
  await r.close();
});

test('cancel mid-training stops the worker and registers nothing', async () => {
  const r = runner({ tuning: SLOW });
  const before = listModels(store.db).length;
  const id = r.start({ model: 'sea' });
  await new Promise<void>((resolve) => {
    const off = r.subscribe((e) => {
      if (e.kind === 'progress' && e.id === id && e.progress.phase === 'epoch' && e.progress.epoch >= 2) {
        off();
        resolve();
      }
    });
  });
  const t = performance.now();
  assert.equal(r.cancel(id), true);
  const job = await r.wait(id);
  const ms = performance.now() - t;
  assert.equal(job.status, 'cancelled');
  assert.ok(job.epoch >= 1 && job.epoch < 500);
  assert.ok(ms < 3000, `cancel took ${ms.toFixed(0)} ms`);
  assert.match(job.log, /cancel requested by test[\s\S]*cancelled; nothing was registered/);
  assert.equal(listModels(store.db).length, before);
  assert.equal(r.cancel(id), false, 'a finished job cannot be cancelled again');
  await r.close();
});

test('a cancel requested by another process reaches the runner through the table', async () => {
  const r = runner({ tuning: SLOW, pollMs: 50 });
  const id = r.start({ model: 'sea' });
  while (r.get(id)!.epoch < 1) await new Promise((res) => setTimeout(res, 20));
  assert.equal(requestCancel(store.db, id, Date.now(), 'cancel from elsewhere\n'), 'running');
  const job = await r.wait(id);
  assert.equal(job.status, 'cancelled');
  await r.close();
});

test('a job that throws is marked failed with its error and leaves the registry untouched', async () => {
  const r = runner({ tuning: FAST });
  const before = listModels(store.db).length;
  // Traffic where every label is 0: the label column has one class.
  const calm = seaStream([{ theta: -1, rows: 500 }], 13, 0);
  await store.log(calm, 100_000, 'one-class.jsonl');
  const id = r.start({ model: 'sea', since: T0 + 100_000 * 1000 });
  const job = await r.wait(id);
  assert.equal(job.status, 'failed');
  assert.match(job.error!, /the label needs at least two classes, found 1/);
  assert.match(job.log, /failed: the label needs at least two classes/);
  // An empty range fails too, with a reason.
  const empty = await r.wait(r.start({ model: 'sea', since: '2030-01-01', until: '2030-02-01' }));
  assert.equal(empty.status, 'failed');
  assert.match(empty.error!, /no labelled rows of sea@1 to train on/);
  assert.equal(listModels(store.db).length, before);
  await r.close();
});

test('a request that can never run is refused before any job row is written', async () => {
  const r = runner();
  const count = r.list(1000).length;
  assert.throws(() => r.start({ model: 'nope' }), (e: unknown) => e instanceof RetrainError && /no model named "nope"/.test(e.message));
  assert.throws(() => r.start({ model: 'sea', type: 'forest' as 'mlp' }), /logreg or mlp/);
  assert.throws(() => r.start({ model: 'sea', since: '2026-02-01', until: '2026-01-01' }), /since must be before until/);
  assert.throws(() => r.start({ model: 'sea', since: 'yesterday' }), /not an ISO 8601 time/);
  assert.throws(() => r.start({ model: 'sea', rows: 0 }), /positive integer/);
  assert.equal(r.list(1000).length, count);
  await r.close();
});

test('a job queued by a headless retrain is taken by the runner that polls', async () => {
  const id = enqueueRetrain(store.db, store.cfg, { model: 'sea', rows: 1000, epochs: 2, trigger: 'cli' }, null, OPERATOR);
  assert.equal(getJob(store.db, id)!.pid, null);
  const r = runner({ pollMs: 50 });
  const job = await r.wait(id);
  assert.equal(job.status, 'done', job.error ?? '');
  assert.equal(job.pid, process.pid);
  await r.close();
});

test('at start, jobs of a process that died are shown as interrupted; queued-for-anyone jobs are kept', async () => {
  // A pid that certainly ended: a child that has exited.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const running = insertJob(store.db, { model: 'sea', type: 'logreg', spec: '{}', pid: dead, at: Date.now() });
  store.db.prepare("UPDATE jobs SET status = 'running', started_at = ?, epoch = 3, epochs = 12 WHERE id = ?").run(Date.now(), running);
  const queuedForDead = insertJob(store.db, { model: 'other', type: 'logreg', spec: '{}', pid: dead, at: Date.now() });
  const r = runner({ maxConcurrent: 0 });
  assert.equal(r.get(running)!.status, 'interrupted');
  assert.match(r.get(running)!.error!, /ended before it finished/);
  assert.equal(r.get(running)!.epoch, 3, 'its progress stays visible');
  assert.equal(r.get(queuedForDead)!.status, 'interrupted');
  await r.close();
});

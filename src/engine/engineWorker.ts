/**
 * The engine thread: ingest, analytics, jobs and the registry run here, so a
 * burst of lines or a slow query never delays a key press in the console
 * thread. Snapshots go out at the engine's bounded rate as plain objects.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from './engine.js';
import { Operations } from './operations.js';
import { initBackend } from '../models/backend.js';
import { setMissingValues } from '../core/values.js';
import type { EngineWorkerData, FromEngine, ToEngine } from './engineProtocol.js';

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');
const post = (m: FromEngine): void => port.postMessage(m);
const data = workerData as EngineWorkerData;

async function main(): Promise<void> {
  // Module state is per thread: this thread reads values with the config's missing tokens too.
  setMissingValues(data.config.missingValues);
  const backend = await initBackend();
  const engine = new Engine({ config: data.config, backend: backend.name, notice: data.notice, ingest: data.fleet ? false : undefined, retention: true });
  let feed: import('../fleet/engineFeed.js').FleetFeed | null = null;
  const ops = new Operations(engine, data.config, data.demo ?? null);
  engine.on('error', (e: Error) => post({ type: 'error', message: e.message }));
  engine.subscribe((snapshot) => post({ type: 'snapshot', snapshot }));
  port!.on('message', (m: ToEngine) => {
    if (m.type === 'stop') {
      ops.close();
      void (feed?.stop() ?? Promise.resolve()).catch(() => undefined).then(() => engine.stop()).then(() => post({ type: 'stopped' }), (e: Error) => { post({ type: 'error', message: e.message }); post({ type: 'stopped' }); });
      return;
    }
    const { id, call } = m;
    const run = (): Promise<unknown> => {
      switch (call.name) {
        case 'promote': return ops.promote(...call.args);
        case 'rollback': return ops.rollback(...call.args);
        case 'gatePreview': return ops.gatePreview(...call.args);
        case 'retrain': return ops.retrain(...call.args);
        case 'cancelJob': return ops.cancelJob(...call.args);
        case 'pace': return ops.pace(...call.args);
        case 'ackAlert': return ops.ackAlert(...call.args);
        case 'exportQualityRows': return ops.exportQualityRows(...call.args);
        case 'setHost': return ops.setHost(...call.args);
        case 'suggestReference': return ops.suggestReference(...call.args);
        case 'pinReference': return ops.pinReference(...call.args);
      }
    };
    run().then(
      (result) => post({ type: 'result', id, result: result as never }),
      (e: Error) => post({ type: 'result', id, result: { ok: false, message: e.message } }),
    );
  });
  await engine.start();
  if (data.fleet) {
    const { startFleetFeed } = await import('../fleet/engineFeed.js');
    const f = startFleetFeed(engine.db, data.fleet, () => engine.kick(), (message) => {
      // On every snapshot until it is over (a posted error alone lasted until the next snapshot).
      engine.reportIngestProblem(message);
      if (message !== null) post({ type: 'error', message });
    });
    feed = f;
    engine.fleetLag = () => f.lag();
  }
  post({ type: 'ready', backend: backend.name });
}

main().catch((e: Error) => {
  post({ type: 'error', message: e.message });
  post({ type: 'stopped' });
});

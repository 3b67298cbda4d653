/**
 * The soak harness's long-lived process: the console's engine without a terminal (ingest,
 * analytics and snapshots at their usual rate). It reports its resident memory, the rows its
 * snapshots count and every engine error as JSON lines on stdout, and stops cleanly on SIGTERM.
 */
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/engine/engine.js';

const config = loadConfig(process.argv[2]);
const engine = new Engine({ config, ingest: true });
const out = (o: Record<string, unknown>): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };
engine.on('error', (e: Error) => out({ error: e.message }));
await engine.start();
out({ started: true });
const tick = setInterval(() => {
  const s = engine.current();
  out({ at: Date.now(), rss: process.memoryUsage().rss, predictions: s?.ingest.predictions ?? 0, problem: s?.problem ?? null });
}, 1000);
const stop = async (): Promise<void> => {
  clearInterval(tick);
  await engine.stop();
  out({ stopped: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

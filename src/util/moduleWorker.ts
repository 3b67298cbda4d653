/**
 * Starts a worker_threads worker on a module next to the caller, from source
 * (tsx) or from compiled dist/ alike. Node 20 ignores loader flags in a
 * worker's execArgv (nodejs/node#47747), so under tsx a tiny JS bootstrap
 * registers tsx's ESM hooks inside the worker, then imports the .ts entry.
 */
import { Worker } from 'node:worker_threads';

/** `base` is the caller's import.meta.url; `name` the entry without extension, e.g. './trainWorker'. */
export function startModuleWorker(base: string, name: string, workerData: unknown): Worker {
  const isTs = base.endsWith('.ts') || base.endsWith('.tsx');
  if (!isTs) return new Worker(new URL(`${name}.js`, base), { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL(`${name}.ts`, base).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

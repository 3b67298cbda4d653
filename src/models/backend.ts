// Chooses the tfjs backend once per process (or worker): tfjs-node's native TensorFlow when its
// binding loads, else WebAssembly, else plain JS. tfjs-node is an optional dependency whose
// install downloads libtensorflow, so its absence is normal and must not be an error.
// MLOPS_TFJS_BACKEND=cpu|wasm|tensorflow forces one (benchmarks compare them side by side).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export { tf };

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** Why a preferred backend was skipped, one line each (shown in logs, not in the console). */
  skipped: string[];
}

let chosen: Promise<BackendInfo> | null = null;

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
}

async function tryTensorflow(): Promise<void> {
  // Through a variable so bundlers/TypeScript do not need the package to exist.
  const name = '@tensorflow/tfjs-node';
  await import(name);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('tensorflow backend did not initialise');
}

async function tryWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // In Node the .wasm binaries are read from disk: point the loader at the package's dist folder.
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(`${dist}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend did not initialise');
}

async function choose(forced: string | undefined): Promise<BackendInfo> {
  // PROD silences tfjs's console advice ("install our node backend"), which would corrupt the console.
  tf.env().set('PROD', true);
  const skipped: string[] = [];
  const order: BackendName[] =
    forced === 'cpu' ? ['cpu'] : forced === 'wasm' ? ['wasm', 'cpu'] : forced === 'tensorflow' ? ['tensorflow', 'cpu'] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    try {
      if (name === 'tensorflow') await tryTensorflow();
      else if (name === 'wasm') await tryWasm();
      else if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend did not initialise');
      await tf.ready();
      return { name, skipped };
    } catch (e) {
      skipped.push(`${name}: ${firstLine(e)}`);
    }
  }
  throw new Error(`no tfjs backend could start (${skipped.join('; ')})`);
}

/** Initialises the best available backend; later calls return the same result. */
export function initBackend(): Promise<BackendInfo> {
  if (!chosen) {
    const forced = process.env.MLOPS_TFJS_BACKEND?.trim().toLowerCase() || undefined;
    if (forced && !['cpu', 'wasm', 'tensorflow'].includes(forced)) {
      return Promise.reject(new Error(`MLOPS_TFJS_BACKEND must be cpu, wasm or tensorflow, not "${forced}"`));
    }
    chosen = choose(forced);
    chosen.catch(() => {
      chosen = null;
    });
  }
  return chosen;
}

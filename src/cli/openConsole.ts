/**
 * The console: the engine (ingest, analytics, jobs, registry) on its own
 * thread, the Ink app on this one, on the alternate screen. Without a terminal
 * it refuses before doing any work, pointing to the headless commands.
 */
import type { Config } from '../config.js';
import { EngineHost } from '../engine/engineHost.js';
import type { FleetSource } from '../fleet/engineFeed.js';
import { NO_TTY_MESSAGE } from '../../components/terminal.js';
import type { DemoOptions } from '../engine/operations.js';

export function requireTerminal(): void {
  if (!process.stdout.isTTY || !process.stdin.isTTY) throw new Error(NO_TTY_MESSAGE);
}

export interface ConsoleOptions {
  notice?: string | null;
  readOnly?: boolean;
  /** `--from nats://…`: read the fleet's stream instead of watching local files. */
  fleet?: FleetSource | null;
  /** Serve the snapshot's figures on GET /metrics at this loopback port (src/metrics/exporter.ts). */
  metricsPort?: number | null;
  /** the demo's replay control (pacing keys, the demo's stops) */
  demo?: DemoOptions | null;
}

/**
 * React's production build for the console, unless NODE_ENV says otherwise. React picks its
 * build when it is first loaded, so this runs before anything imports it. The development build
 * checks every render and commit (bench/ui measures what it costs per frame); NODE_ENV=development
 * keeps those checks and React's full error messages for debugging.
 */
export function productionReact(): void {
  process.env.NODE_ENV ??= 'production';
}

export async function openConsole(cfg: Config, opts: ConsoleOptions = {}): Promise<void> {
  requireTerminal();
  productionReact();
  const engine = new EngineHost(cfg, opts.notice ?? null, opts.fleet ?? null, opts.demo ?? null);
  // Before the engine starts, so a port in use refuses with nothing to clean up.
  let metrics: { close: () => Promise<void> } | null = null;
  if (opts.metricsPort !== undefined && opts.metricsPort !== null) {
    const { metricsRegistry, startMetricsServer } = await import('../metrics/exporter.js');
    metrics = await startMetricsServer(metricsRegistry(() => engine.current()), opts.metricsPort);
  }
  // The first frame does not wait for the engine: its thread loads tfjs and reads the database
  // while this one loads Ink and draws (the body says so until the first snapshot arrives). An
  // engine that fails to start closes the console and the error ends the command as before.
  const failed = new AbortController();
  let startError: unknown = null;
  const started = engine.start().catch((err: unknown) => { startError = err; failed.abort(); });
  const { renderConsole } = await import('../../components/render.js');
  try {
    await renderConsole({ snapshots: engine, commands: engine, readOnly: opts.readOnly }, { abort: failed.signal });
  } finally {
    if (startError === null) {
      // Quitting before the engine is ready: let it finish starting so stop() can end it cleanly.
      await started;
    }
    await metrics?.close();
    await engine.stop();
  }
  if (startError !== null) throw startError;
  if (engine.errors.length > 0) {
    process.stderr.write(`mlops-tui: ${engine.errors.length} engine error(s), the last: ${engine.errors[engine.errors.length - 1]}\n`);
  }
}

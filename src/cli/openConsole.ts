/**
 * The console: the engine (ingest, analytics, jobs, registry) on its own
 * thread, the Ink app on this one, on the alternate screen. Without a terminal
 * it refuses before doing any work, pointing to the headless commands.
 */
import { renderConsole, NO_TTY_MESSAGE } from '../../components/render.js';
import type { Config } from '../config.js';
import { EngineHost } from '../engine/engineHost.js';

export function requireTerminal(): void {
  if (!process.stdout.isTTY || !process.stdin.isTTY) throw new Error(NO_TTY_MESSAGE);
}

export interface ConsoleOptions {
  notice?: string | null;
  readOnly?: boolean;
}

export async function openConsole(cfg: Config, opts: ConsoleOptions = {}): Promise<void> {
  requireTerminal();
  const engine = new EngineHost(cfg, opts.notice ?? null);
  await engine.start();
  try {
    await renderConsole({ snapshots: engine, commands: engine, readOnly: opts.readOnly });
  } finally {
    await engine.stop();
  }
  if (engine.errors.length > 0) {
    process.stderr.write(`mlops-tui: ${engine.errors.length} engine error(s), the last: ${engine.errors[engine.errors.length - 1]}\n`);
  }
}

/**
 * The console: engine (ingest + analytics + operations) in this process, the
 * Ink app on the alternate screen. Without a terminal it refuses before doing
 * any work, pointing to the headless commands.
 */
import { renderConsole, NO_TTY_MESSAGE } from '../../components/render.js';
import type { Config } from '../config.js';
import { Engine } from '../engine/engine.js';
import { Operations } from '../engine/operations.js';
import { initBackend } from '../models/backend.js';

export function requireTerminal(): void {
  if (!process.stdout.isTTY || !process.stdin.isTTY) throw new Error(NO_TTY_MESSAGE);
}

export interface ConsoleOptions {
  notice?: string | null;
  readOnly?: boolean;
  onEngine?: (engine: Engine) => void;
}

export async function openConsole(cfg: Config, opts: ConsoleOptions = {}): Promise<void> {
  requireTerminal();
  const backend = await initBackend();
  const engine = new Engine({ config: cfg, backend: backend.name, notice: opts.notice ?? null });
  const ops = new Operations(engine, cfg);
  const errors: string[] = [];
  engine.on('error', (e: Error) => { errors.push(e.message); });
  opts.onEngine?.(engine);
  await engine.start();
  try {
    await renderConsole({ snapshots: engine, commands: ops, readOnly: opts.readOnly });
  } finally {
    ops.close();
    await engine.stop();
  }
  if (errors.length > 0) process.stderr.write(`mlops-tui: ${errors.length} engine error(s), the last: ${errors[errors.length - 1]}\n`);
}

/**
 * What every command shares: the config file, `--db`, `--watch`, and the one
 * way errors end a command (one sentence on stderr, a non-zero exit code).
 */
import { ConfigError, loadConfig, type Config } from '../config.js';
import { setMissingValues } from '../drift/values.js';

export interface GlobalOptions {
  db?: string;
  config?: string;
  watch?: string;
}

export class UsageError extends Error {}

export function resolveConfig(opts: GlobalOptions): Config {
  const cfg = loadConfig(opts.config);
  if (opts.db !== undefined) cfg.db = opts.db;
  if (opts.watch !== undefined) cfg.watch = opts.watch;
  // Every reader in this process shares the config's missing tokens (values.ts).
  setMissingValues(cfg.missingValues);
  return cfg;
}

export function fail(err: unknown): never {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mlops-tui: ${msg.replace(/\s+$/, '')}\n`);
  // a bad config is a usage error: the command never started
  process.exit(err instanceof UsageError || err instanceof ConfigError ? 2 : 1);
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/**
 * What every command shares: the config file, `--db`, `--watch`, and the one
 * way errors end a command (one sentence on stderr, a non-zero exit code).
 */
import { ConfigError, loadConfig, type Config } from '../config.js';
import { setMissingValues } from '../core/values.js';

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

/** A port flag (`--port`, `--metrics`): an integer from 0 (any free port) to 65535. */
export function portOption(flag: string, raw: string): number {
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} must be an integer from 0 to 65535, not "${raw}"`);
  return port;
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

/**
 * Opens the database and the operator's ops context (src/ops), runs `fn`, closes. The store and
 * the ops modules load here, inside the action, not when the command module loads (issue 14).
 * A request the ops layer refuses as given (OpsInputError) is a usage error: exit 2.
 */
export async function withOps<T>(cfg: Config, options: { readonly?: boolean }, fn: (ctx: import('../ops/context.js').OpsContext) => T | Promise<T>): Promise<T> {
  const [{ openDb }, { currentOperator }, { OpsInputError }] = await Promise.all([
    import('../../store/db.js'), import('../../store/audit.js'), import('../ops/context.js'),
  ]);
  const db = openDb(cfg.db, options.readonly ? { readonly: true } : undefined);
  try {
    return await fn({ db, cfg, operator: currentOperator() });
  } catch (e) {
    if (e instanceof OpsInputError) throw new UsageError(e.message);
    throw e;
  } finally {
    db.close();
  }
}

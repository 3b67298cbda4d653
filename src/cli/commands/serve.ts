import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { portOption, resolveConfig, untilSignal, UsageError, type GlobalOptions } from '../context.js';

interface ServeCliOptions extends GlobalOptions {
  port: string;
  host: string;
  out?: string;
  allowRemote?: boolean;
  tokenFile?: string;
}

export function registerServe(program: Command): void {
  program.command('serve')
    .description('Serve the registry over HTTP: POST /predict answers with the active model, logs every shadow; POST /label logs a label; GET /healthz, GET /metrics (Prometheus)')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <addr>', 'address to bind (loopback by default)', '127.0.0.1')
    .option('--out <dir>', 'directory for the prediction logs (default: the watched directory)')
    .option('--allow-remote', 'allow a non-loopback --host; needs a token (MLOPS_TUI_TOKEN or --token-file)')
    .option('--token-file <path>', 'file holding the token clients send as "Authorization: Bearer <token>" (or set MLOPS_TUI_TOKEN)')
    .addHelpText('after', `
Examples:
  mlops-tui serve --port 8080
  curl -s localhost:8080/predict -d '{"id":"r-1","features":{"hour":14,"dow":"Sat","distance":405,"origin":"MCI","destination":"MDW"}}'
  curl -s localhost:8080/label -d '{"id":"r-1","label":1}'
  curl -s localhost:8080/healthz; curl -s localhost:8080/metrics
  head -c 24 /dev/urandom | base64 > ~/.mlops-token && chmod 600 ~/.mlops-token
  mlops-tui serve --host 0.0.0.0 --allow-remote --token-file ~/.mlops-token
  curl -s -H "Authorization: Bearer $(cat ~/.mlops-token)" host:8080/health`)
    .action(async (_o: ServeCliOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ServeCliOptions>();
      const cfg = resolveConfig(opts);
      const port = portOption('--port', opts.port);
      const { AccessError, TOKEN_ENV, accessPolicy } = await import('../../serve/access.js');
      const { redactorFor } = await import('../../redact/redact.js');
      let token: string | null = process.env[TOKEN_ENV] || null;
      if (opts.tokenFile !== undefined) {
        try { token = readFileSync(opts.tokenFile, 'utf8').trim(); } catch (e) { throw new UsageError(`token file ${opts.tokenFile} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
      }
      // refused before the database is opened: exposure is decided first
      try { accessPolicy(opts.host, opts.allowRemote === true, token); } catch (e) { throw e instanceof AccessError ? new UsageError(e.message) : e; }
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: train a model first (mlops-tui train)`);
      const [{ openDb }, { startServer }, { timeRangeOf }] = await Promise.all([
        import('../../../store/db.js'), import('../../serve/server.js'), import('../../ingest/ingestService.js'),
      ]);
      const db = openDb(cfg.db);
      const s = await startServer(db, { out: opts.out ?? cfg.watch, port, host: opts.host, timeRange: timeRangeOf(cfg), allowRemote: opts.allowRemote === true, token, redact: redactorFor(cfg) });
      process.stderr.write(`serving on ${s.url} (logs in ${opts.out ?? cfg.watch})${token !== null ? ', requests need the bearer token' : ''}; Ctrl-C to stop\n`);
      await untilSignal();
      await s.close();
      db.close();
      process.exit(0);
    });
}

import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolveConfig, untilSignal, UsageError, type GlobalOptions } from '../context.js';

interface ServeCliOptions extends GlobalOptions {
  port: string;
  host: string;
  out?: string;
}

export function registerServe(program: Command): void {
  program.command('serve')
    .description('Serve the registry over HTTP: POST /predict answers with the active model, logs every shadow; POST /label logs a label')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <addr>', 'address to bind (loopback by default)', '127.0.0.1')
    .option('--out <dir>', 'directory for the prediction logs (default: the watched directory)')
    .addHelpText('after', `
Examples:
  mlops-tui serve --port 8080
  curl -s localhost:8080/predict -d '{"id":"r-1","features":{"hour":14,"dow":"Sat","distance":405,"origin":"MCI","destination":"MDW"}}'
  curl -s localhost:8080/label -d '{"id":"r-1","label":1}'`)
    .action(async (_o: ServeCliOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ServeCliOptions>();
      const cfg = resolveConfig(opts);
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be an integer from 0 to 65535');
      if (!existsSync(cfg.db)) throw new Error(`no database at ${cfg.db}: train a model first (mlops-tui train)`);
      const [{ openDb }, { startServer }, { timeRangeOf }] = await Promise.all([
        import('../../../store/db.js'), import('../../serve/server.js'), import('../../ingest/ingestService.js'),
      ]);
      const db = openDb(cfg.db);
      const s = await startServer(db, { out: opts.out ?? cfg.watch, port, host: opts.host, timeRange: timeRangeOf(cfg) });
      process.stderr.write(`serving on ${s.url} (logs in ${opts.out ?? cfg.watch}); Ctrl-C to stop\n`);
      await untilSignal();
      await s.close();
      db.close();
      process.exit(0);
    });
}

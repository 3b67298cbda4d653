/**
 * The compiled package works (issue 14): `npm run build`'s bundler (scripts/bundle.ts) builds
 * into a temporary package folder laid out as the repository (bin/, dist/, sample-data/,
 * package.json), and from there `bin/mlops-tui.js` runs the bundle: `--help` (which loads
 * main.js and the one start-up file, nothing else of ours), the demo's training in the
 * bundled training worker (`demo --prepare`, which finds the package's sample data),
 * `status`, `history`, `alerts`, and the offline `drift` whose worker is the bundled
 * offlineWorker.js.
 *
 * The build goes to a temporary folder, not the repository's dist/: bin/ prefers dist/ when it
 * exists, so building there would switch every other test running at the same time to
 * whatever was compiled at that moment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/tmp.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function run(cmd: string, args: string[], cwd: string, timeout = 300_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, CI: 'true' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('bundled, the package runs from dist/: --help, the demo\'s training, status, history, alerts and drift', { timeout: 900_000 }, () => {
  const tmp = tempDir('mlops-dist-');
  const pkg = join(tmp, 'pkg');
  mkdirSync(pkg);
  const build = run(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bundle.ts'), join(pkg, 'dist')], ROOT);
  assert.equal(build.status, 0, `the bundler failed:\n${build.stdout}${build.stderr}`);
  cpSync(join(ROOT, 'bin'), join(pkg, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(ROOT, 'sample-data'), join(pkg, 'sample-data'));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
  const bin = join(pkg, 'bin', 'mlops-tui.js');
  const work = join(tmp, 'work');
  mkdirSync(work);

  // --help, watching what loads: the bundle's main.js and startup.js, no other module of ours
  // (the start-up cost was one file read, compile and link per module) and no TypeScript source.
  const hook = join(tmp, 'trace.mjs');
  writeFileSync(hook, `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\\\n'); return next(url, context); }
\`));
`);
  const help = run(process.execPath, ['--import', pathToFileURL(hook).href, bin, '--help'], work);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: mlops-tui/);
  const loaded = help.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7));
  const ours = loaded.filter((u) => u.startsWith(pathToFileURL(join(pkg, 'dist')).href)).map((u) => u.slice(pathToFileURL(pkg).href.length + 1));
  assert.deepEqual(ours, ['dist/cli/main.js', 'dist/cli/startup.js'], 'ran the bundle: main.js and the one start-up file');
  assert.deepEqual(loaded.filter((u) => /\.tsx?$/.test(u)), [], 'no TypeScript source was loaded');

  // The demo's training from dist/: it finds sample-data/ at the package root, not under dist/.
  const demoDir = join(work, 'demo');
  const prepared = run(process.execPath, [bin, 'demo', '--prepare', '--dir', demoDir], work, 600_000);
  assert.equal(prepared.status, 0, prepared.stderr);
  assert.match(prepared.stderr, /registered flights-logreg@1 as active/);
  assert.match(prepared.stderr, /registered flights-mlp@1 as shadow/);
  const status = run(process.execPath, [bin, '--db', join(demoDir, 'mlops.db'), 'status', '--json'], work);
  assert.equal(status.status, 0, status.stderr);
  const s = JSON.parse(status.stdout) as { active: string; registry: Array<{ model: string }> };
  assert.equal(s.active, 'flights-logreg@1');
  assert.deepEqual(s.registry.map((m) => m.model).sort(), ['flights-logreg@1', 'flights-mlp@1']);
  const history = run(process.execPath, [bin, '--db', join(demoDir, 'mlops.db'), 'history', '--json'], work);
  assert.equal(history.status, 0, history.stderr);
  assert.deepEqual((JSON.parse(history.stdout) as Array<{ action: string }>).map((r) => r.action).sort(), ['register', 'register']);
  const alerts = run(process.execPath, [bin, '--db', join(demoDir, 'mlops.db'), 'alerts', '--json'], work);
  assert.equal(alerts.status, 0, alerts.stderr);
  assert.deepEqual((JSON.parse(alerts.stdout) as { alerts: unknown[] }).alerts, []);

  // Every module exists once in the bundle: a chunk gets a start-up module from startup.js, never
  // a copy of its own. A copy would be a second UsageError class (a usage error thrown by a lazily
  // loaded module would exit 1, not 2) and a second list of missing-value tokens.
  const outputs = readdirSync(join(pkg, 'dist', 'cli')).filter((f) => f.endsWith('.js'));
  // (esbuild writes `class X` as `var X = class`, and a second X in one file as X2)
  for (const definition of [/\bUsageError\d* = class\b|\bclass UsageError\d*\b/, /\bfunction setMissingValues\d*\(/, /error: unknown command/]) {
    const holders = outputs.filter((f) => definition.test(readFileSync(join(pkg, 'dist', 'cli', f), 'utf8')));
    assert.deepEqual(holders, ['startup.js'], `${definition.source} is defined once, in startup.js`);
  }
  // fleetIngest.ts loads lazily and throws context's UsageError: exit 2 from the bundle too.
  const badDurable = run(process.execPath, [bin, '--db', join(work, 'fleet.db'), 'ingest', '--from', 'nats://127.0.0.1:1', '--durable', 'no spaces'], work);
  assert.equal(badDurable.status, 2, badDurable.stderr);
  assert.match(badDurable.stderr, /--durable "no spaces" must be/);

  // Offline drift from dist/: its worker is the bundled offlineWorker.js.
  const ref = join(work, 'ref.csv');
  const cur = join(work, 'cur.csv');
  const rows = (shift: number): string => ['x,c', ...Array.from({ length: 2000 }, (_, i) => `${(i % 100) + shift},${['a', 'b', 'c'][i % 3]}`)].join('\n');
  writeFileSync(ref, `${rows(0)}\n`);
  writeFileSync(cur, `${rows(60)}\n`);
  const drift = run(process.execPath, [bin, 'drift', '--reference', ref, '--current', cur, '--json'], work);
  assert.equal(drift.status, 1, `x moved by 60 of 100: dataset drift exits 1\n${drift.stderr}`);
  const d = JSON.parse(drift.stdout) as { features: Array<{ feature: string; level: string }> };
  assert.equal(d.features.find((f) => f.feature === 'x')?.level, 'drift');
  assert.equal(d.features.find((f) => f.feature === 'c')?.level, 'ok');
});

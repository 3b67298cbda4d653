/**
 * The start-up rule (issue 14): what `mlops-tui --help` (and so every command, before its
 * action runs) loads is the static import graph of src/cli/main.ts. None of it may reach
 * tfjs, Ink/React, the engine, workers, SQLite or the file watcher: those are loaded with
 * `await import()` inside the action that uses them. A command module that imports one at
 * top level fails here, naming the chain that pulls it in.
 *
 * Then the real CLI, run with a module-load hook, shows the same from the outside: `--help`
 * and `status --json` load no heavy package, and `status` does load SQLite (the hook sees).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin', 'mlops-tui.js');

/** Packages and folders a command may only load inside its action. */
// string-width builds an Intl.Segmenter when it loads (about 20 ms of ICU on --help, measured).
const HEAVY_PACKAGES = ['ink', 'react', '@tensorflow/', '@inkjs/', 'better-sqlite3', 'chokidar', 'prom-client', 'nats', 'asciichart', 'string-width', 'node:worker_threads', 'worker_threads'];
const HEAVY_FOLDERS = ['components/', 'src/engine/', 'src/models/backend', 'src/models/trainJob', 'src/models/trainWorker', 'src/serve/', 'src/ingest/', 'src/offline/', 'src/retrain/', 'store/'];
// The file modes and umask every command sets first: node:fs only, no SQLite.
const LIGHT_FILES = ['store/privateFiles.ts'];

// Static imports and re-exports, without `import type` / `export type` (erased at compile time).
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[\s\S]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function staticImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(STATIC_IMPORT)].map((m) => m[1]);
}

function resolveLocal(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${relative(ROOT, from)} imports ${spec}, which does not resolve`);
}

test('nothing heavy is reachable from src/cli/main.ts through static imports', () => {
  const entry = join(ROOT, 'src', 'cli', 'main.ts');
  const parent = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  const offences: string[] = [];
  const chain = (file: string): string => {
    const parts: string[] = [];
    for (let f: string | null = file; f !== null; f = parent.get(f) ?? null) parts.unshift(relative(ROOT, f));
    return parts.join(' → ');
  };
  while (queue.length > 0) {
    const file = queue.shift()!;
    const rel = relative(ROOT, file);
    if (HEAVY_FOLDERS.some((d) => rel.startsWith(d)) && !LIGHT_FILES.includes(rel)) offences.push(`${chain(file)} (a module to load inside the action)`);
    for (const spec of staticImports(file)) {
      if (HEAVY_PACKAGES.some((p) => spec === p || spec.startsWith(p.endsWith('/') ? p : `${p}/`))) {
        offences.push(`${chain(file)} imports ${spec}`);
        continue;
      }
      const next = resolveLocal(file, spec);
      if (next !== null && !parent.has(next)) {
        parent.set(next, file);
        queue.push(next);
      }
    }
  }
  assert.ok(parent.size > 10, `the walk found the command modules (${parent.size} files)`);
  assert.deepEqual(offences, [], `load these with await import() inside the action:\n${offences.join('\n')}`);
});

function loadedModules(args: string[], cwd: string): { status: number | null; stdout: string; loaded: string[] } {
  const hook = join(cwd, 'trace-loads.mjs');
  writeFileSync(hook, `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\\\n'); return next(url, context); }
\`));
`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, BIN, ...args], { cwd, encoding: 'utf8' });
  const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7));
  return { status: r.status, stdout: r.stdout, loaded };
}

test('the real CLI: --help loads no heavy package; status --json loads SQLite and still no tfjs, Ink or React', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-startup-'));
  try {
    const help = loadedModules(['--help'], dir);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage: mlops-tui/);
    const heavy = (urls: string[], pkgs: string[]): string[] => urls.filter((u) => pkgs.some((p) => u.includes(`/node_modules/${p}`)));
    assert.ok(help.loaded.some((u) => u.includes('/node_modules/commander/')), 'the hook sees what loads');
    assert.deepEqual(heavy(help.loaded, ['ink/', 'react/', '@tensorflow/', 'better-sqlite3/', 'chokidar/', 'string-width/']), []);

    const db = join(dir, 'm.db');
    // ingest --once of an empty directory creates the database through the real CLI.
    const ingest = spawnSync(process.execPath, [BIN, '--db', db, '--watch', dir, 'ingest', '--once', '--quiet'], { cwd: dir, encoding: 'utf8' });
    assert.equal(ingest.status, 0, ingest.stderr);
    const status = loadedModules(['--db', db, 'status', '--json'], dir);
    assert.equal(status.status, 0);
    assert.equal(JSON.parse(status.stdout).counts.predictions, 0);
    assert.ok(heavy(status.loaded, ['better-sqlite3/']).length > 0, 'status opened the database');
    assert.deepEqual(heavy(status.loaded, ['ink/', 'react/', '@tensorflow/', 'chokidar/', 'string-width/']), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

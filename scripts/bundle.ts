/**
 * `npm run build`'s bundler (issue 14: start-up). tsc's one-file-per-module dist/ made `--help`
 * load about 45 ES modules, each resolved, read and linked on its own: ~60 ms on top of node's
 * own start on this 2-core box. This writes dist/cli/ in two parts:
 *
 * - `startup.js`, ONE file: everything `src/cli/main.ts` imports statically (commander, the
 *   command definitions, config, context, core) — all that `--help` or a command runs before
 *   its action loads anything;
 * - `main.js` (a few lines that import startup.js and run: the bin's entry), the workers (`engineWorker.js`,
 *   `trainWorker.js`, `offlineWorker.js`, found where `startModuleWorker` starts them) and the
 *   rest split by esbuild into chunks that load when an action `await import()`s them.
 *
 * Every module exists once at run time. A chunk that imports a start-up module (context's
 * `UsageError`, whose `instanceof` decides the exit code; values' missing-value tokens, set
 * once per process) gets it from startup.js through a small proxy, never a second copy.
 * The outputs are flat in dist/cli/ so `new URL('./engineWorker.js', import.meta.url)` finds a
 * worker from whichever chunk runs it; packages (tfjs, Ink, better-sqlite3...) stay external and
 * resolve from node_modules, as an installed package has them.
 *
 *   tsx scripts/bundle.ts [OUT_DIR]      (default: dist/)
 */
import { build, type Plugin } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(ROOT, 'src', 'cli', 'main.ts');
/** Inlined into startup.js: what main.ts parses flags with. */
const INLINED_PACKAGES = new Set(['commander']);
/**
 * Inlined into the lazy chunks: better-sqlite3's JavaScript (ten CommonJS files, each resolved
 * on its own: ~10 ms of every command that opens the database). Its addon stays a file in its
 * package, passed as `nativeBinding` (store/db.ts sqliteAddon); `bindings`, its own lookup, stays
 * external. Every other package stays external.
 */
const INLINED_LAZY_PACKAGES = new Set(['better-sqlite3']);
const SOURCE_DIRS = ['src', 'store', 'components'];

const common = {
  absWorkingDir: ROOT,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
} as const;

// commander is CommonJS: inlined into an ES module, its require('node:events') needs a require.
const REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** Marks esbuild's resolve() calls made from inside a plugin, so the plugin lets them through. */
const RESOLVING = Symbol('resolving');

const isBare = (spec: string): boolean => !spec.startsWith('.') && !spec.startsWith('/') && !spec.startsWith('node:');
const packageOf = (spec: string): string => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** An output name for a module: its path from the root, e.g. src/ops/status.ts → src.ops.status. */
const outName = (file: string): string => relative(ROOT, file).replace(/\.tsx?$/, '').split(/[\\/]/).join('.');

/** The workers `startModuleWorker(import.meta.url, './name', ...)` starts, by the name it asks for. */
function workerEntries(): Record<string, string> {
  const found: Record<string, string> = {};
  const call = /startModuleWorker\(\s*import\.meta\.url\s*,\s*['"]\.\/([\w-]+)['"]/g;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name)) {
        for (const m of readFileSync(p, 'utf8').matchAll(call)) {
          const file = join(dirname(p), `${m[1]}.ts`);
          if (found[m[1]] !== undefined && found[m[1]] !== file) throw new Error(`two workers are called ${m[1]} (${found[m[1]]}, ${file}): dist/cli/ is flat, rename one`);
          found[m[1]] = file;
        }
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(join(ROOT, d));
  return found;
}

interface StartupGraph {
  /** Absolute paths of the source modules main.ts reaches through static imports (main.ts itself excluded). */
  modules: string[];
  /** Absolute paths of the source modules those import with `await import()` (loaded lazily). */
  lazy: Set<string>;
}

/** Walks main.ts's static imports (dynamic ones are recorded, not followed). */
async function startupGraph(): Promise<StartupGraph> {
  const lazy = new Set<string>();
  const record: Plugin = {
    name: 'record-dynamic-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === RESOLVING) return undefined; // our own b.resolve() below
        if (isBare(args.path)) return INLINED_PACKAGES.has(packageOf(args.path)) || args.importer.includes('/node_modules/') ? undefined : { path: args.path, external: true };
        if (args.kind !== 'dynamic-import' || args.path.startsWith('node:')) return undefined;
        const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: RESOLVING });
        if (r.errors.length > 0) return { errors: r.errors };
        lazy.add(r.path);
        return { path: r.path, external: true };
      });
    },
  };
  const r = await build({ ...common, entryPoints: [ENTRY], write: false, outdir: join(ROOT, '.bundle-probe'), metafile: true, plugins: [record], sourcemap: false });
  const modules = Object.keys(r.metafile.inputs)
    .filter((p) => !p.includes('node_modules/') && !p.startsWith('<'))
    .map((p) => resolve(ROOT, p))
    .filter((p) => p !== ENTRY);
  for (const m of modules) lazy.delete(m); // already in startup.js: imported from there
  return { modules, lazy };
}

/** The names each start-up module exports (values only: types are erased). */
async function exportNames(modules: string[]): Promise<Map<string, string[]>> {
  const r = await build({ ...common, bundle: false, entryPoints: modules, write: false, outdir: join(ROOT, '.bundle-probe'), outbase: ROOT, metafile: true, sourcemap: false });
  const names = new Map<string, string[]>();
  for (const out of Object.values(r.metafile.outputs)) {
    if (out.entryPoint !== undefined) names.set(resolve(ROOT, out.entryPoint), out.exports);
  }
  return names;
}

export async function bundle(outDir = join(ROOT, 'dist')): Promise<void> {
  const cli = join(outDir, 'cli');
  rmSync(outDir, { recursive: true, force: true });
  const { modules, lazy } = await startupGraph();
  const exportsOf = await exportNames(modules);
  // A package's names: what its ES entry exports (commander's esm.mjs re-exports by name).
  for (const p of INLINED_PACKAGES) exportsOf.set(p, Object.keys(await import(p) as object));
  const ns = new Map(modules.map((m, i) => [m, `m${i}`]));
  const lazyEntries = Object.fromEntries([...lazy].map((f) => [outName(f), f]));
  const workers = workerEntries();
  for (const name of Object.keys(workers)) {
    if (name in lazyEntries || name === 'main' || name === 'startup') throw new Error(`worker ${name} collides with another output of the same name`);
  }

  // 1. startup.js: the start-up modules as namespaces, in one file. Its `await import()`s of
  //    lazy modules point at their entries in the split build below.
  const toLazyEntry: Plugin = {
    name: 'lazy-entries',
    setup(b) {
      // commander requires child_process when it loads, for git-style executable subcommands,
      // which mlops-tui has none of: ~2 ms of every start. It gets child_process on first use.
      b.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (args.importer.includes('/node_modules/commander/') ? { path: 'child_process', namespace: 'on-first-use' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'on-first-use' }, () => ({
        loader: 'js',
        contents: "let m; module.exports = new Proxy({}, { get: (_, key) => (m ??= require('node:child_process'))[key] });",
      }));
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === RESOLVING) return undefined; // our own b.resolve() below
        if (isBare(args.path)) return INLINED_PACKAGES.has(packageOf(args.path)) || args.importer.includes('/node_modules/') ? undefined : { path: args.path, external: true };
        if (args.kind !== 'dynamic-import' || args.path.startsWith('node:')) return undefined;
        const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: RESOLVING });
        if (!lazy.has(r.path)) return undefined;
        return { path: `./${outName(r.path)}.js`, external: true };
      });
    },
  };
  const startupSource = [
    ...modules.map((m) => `export * as ${ns.get(m)} from ${JSON.stringify(m)};`),
    ...[...INLINED_PACKAGES].map((p, i) => `export * as pkg${i} from ${JSON.stringify(p)};`),
  ].join('\n');
  await build({
    ...common,
    stdin: { contents: startupSource, resolveDir: ROOT, sourcefile: 'startup.js', loader: 'js' },
    outfile: join(cli, 'startup.js'),
    banner: { js: REQUIRE_BANNER },
    plugins: [toLazyEntry],
  });

  // 2. The workers and the lazy modules, split; a start-up module is a proxy to startup.js.
  const packageNs = new Map([...INLINED_PACKAGES].map((p, i) => [p, `pkg${i}`]));
  const proxy: Plugin = {
    name: 'startup-proxy',
    setup(b) {
      b.onResolve({ filter: /^\.\/startup\.js$/, namespace: 'startup' }, () => ({ path: './startup.js', external: true }));
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === RESOLVING) return undefined; // our own b.resolve() below
        if (args.namespace === 'startup' || args.path.startsWith('node:')) return undefined;
        if (isBare(args.path)) {
          const pkg = packageOf(args.path);
          if (packageNs.has(pkg) && pkg === args.path) return { path: `${pkg}|${relative(ROOT, args.importer)}`, namespace: 'startup' };
          // Only our own static imports inline it; what the package itself requires stays external.
          if (INLINED_LAZY_PACKAGES.has(pkg) && args.kind === 'import-statement' && !args.importer.includes('/node_modules/')) return undefined;
          return { path: args.path, external: true };
        }
        if (args.importer.includes('/node_modules/')) return undefined; // a file of an inlined package
        const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: RESOLVING });
        if (r.errors.length > 0) return { errors: r.errors };
        if (args.kind === 'dynamic-import' && lazy.has(r.path)) return { path: `./${outName(r.path)}.js`, external: true };
        // One proxy per importer: a proxy shared by two entries would become a chunk of its own,
        // one more file to load for nothing.
        // (Paths from the root: esbuild writes them into the output as comments.)
        return ns.has(r.path) ? { path: `${relative(ROOT, r.path)}|${relative(ROOT, args.importer)}`, namespace: 'startup' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'startup' }, (args) => {
        const key = args.path.slice(0, args.path.lastIndexOf('|'));
        const target = packageNs.has(key) ? key : resolve(ROOT, key);
        const local = ns.get(target) ?? packageNs.get(target)!;
        const names = exportsOf.get(target)!;
        const named = names.filter((n) => n !== 'default');
        const lines = [`import { ${local} } from './startup.js';`];
        if (named.length > 0) lines.push(`export const { ${named.join(', ')} } = ${local};`);
        if (names.includes('default')) lines.push(`export default ${local}.default;`);
        return { contents: lines.join('\n'), loader: 'js', resolveDir: cli };
      });
    },
  };
  await build({
    ...common,
    entryPoints: { ...workers, ...lazyEntries },
    outdir: cli,
    splitting: true,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    banner: { js: REQUIRE_BANNER },
    plugins: [proxy],
  });
  // 3. main.js on its own: in the split build it would import the chunk of esbuild's helpers
  //    that better-sqlite3's CommonJS needs, one more file for every command.
  await build({ ...common, entryPoints: { main: ENTRY }, outdir: cli, entryNames: '[name]', plugins: [proxy] });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2] === undefined ? undefined : resolve(process.argv[2]);
  await bundle(out);
}

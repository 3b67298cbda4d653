/**
 * The console runs React's production build (issue 14: the development build checks every
 * render and commit): openConsole calls productionReact() before it loads the console, and React
 * and its reconciler pick their build when they load. NODE_ENV set by the operator wins. Checked
 * in a fresh process, where the console's modules load in openConsole's order, by which build
 * files Node ran.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function buildsLoaded(env: NodeJS.ProcessEnv): string[] {
  const openConsole = pathToFileURL(resolve(ROOT, 'src/cli/openConsole.ts')).href;
  const render = pathToFileURL(resolve(ROOT, 'components/render.tsx')).href;
  const script = `
    const { productionReact } = await import(${JSON.stringify(openConsole)});
    productionReact();
    await import(${JSON.stringify(render)});
    const { createRequire } = await import('node:module');
    // Node pre-parses both branches of React's index.js for their export names (they are in the
    // cache, not loaded); \`loaded\` says which build ran.
    const ran = Object.entries(createRequire(import.meta.url).cache).filter(([f, m]) => m.loaded && /[\\\\/](react|react-reconciler)[\\\\/]cjs[\\\\/]/.test(f));
    console.log(JSON.stringify(ran.map(([f]) => f.replace(/.*[\\\\/]cjs[\\\\/]/, ''))));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
}

test('the console loads React and its reconciler in their production builds', () => {
  const env = { ...process.env };
  delete env.NODE_ENV;
  const loaded = buildsLoaded(env);
  assert.ok(loaded.includes('react.production.js'), loaded.join(', '));
  assert.ok(loaded.some((f) => f.startsWith('react-reconciler.production')), loaded.join(', '));
  assert.ok(!loaded.some((f) => f.includes('development')), loaded.join(', '));
});

test('NODE_ENV=development keeps the development builds (for debugging the console)', () => {
  const loaded = buildsLoaded({ ...process.env, NODE_ENV: 'development' });
  assert.ok(loaded.includes('react.development.js'), loaded.join(', '));
  assert.ok(!loaded.some((f) => f.includes('production')), loaded.join(', '));
});

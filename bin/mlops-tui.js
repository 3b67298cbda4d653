#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` has made it, else the TypeScript
// sources through tsx (a fresh clone after `npm ci`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Ink treats any CI variable as "not interactive" and draws nothing until exit. On a
// real terminal the operator is interactive whatever their shell exports, so those
// variables are dropped before Ink loads (headless commands never draw).
if (process.stdout.isTTY && process.stdin.isTTY) {
  for (const key of Object.keys(process.env)) {
    if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key];
  }
}

const dist = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  // tsx looks for tsconfig.json from the working directory; without ours the JSX of the
  // console compiles to React.createElement and fails ("React is not defined") when run
  // from anywhere but the repository root.
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}

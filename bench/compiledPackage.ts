// The compiled CLI for benches that time `mlops-tui` as users run it: `npm run build`'s bundler
// (scripts/bundle.ts) into a temporary package (bin/, dist/, package.json, node_modules linked),
// never the repository's dist/: bin/
// prefers dist/ when it exists, so a build left there would make every later run and test use
// code compiled now, however the sources change afterwards.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface CompiledPackage {
  /** bin/mlops-tui.js of the package: runs its dist/. */
  bin: string;
  remove(): void;
}

export function compiledPackage(): CompiledPackage {
  const pkg = mkdtempSync(join(tmpdir(), 'mlops-bench-pkg-'));
  const b = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bundle.ts'), join(pkg, 'dist')], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) {
    rmSync(pkg, { recursive: true, force: true });
    throw new Error('scripts/bundle.ts failed');
  }
  cpSync(join(ROOT, 'bin'), join(pkg, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
  return { bin: join(pkg, 'bin', 'mlops-tui.js'), remove: () => rmSync(pkg, { recursive: true, force: true }) };
}

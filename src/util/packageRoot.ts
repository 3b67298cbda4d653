/**
 * The folder that holds package.json, found upwards from a module. A fixed number of `..`
 * is wrong in one of the three layouts the CLI runs from: the sources (src/cli/commands),
 * the build (dist/src/cli/commands) and an installed package (node_modules/mlops-tui/dist/...).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
}

/**
 * Per-feature drift methods are checked when the config is loaded, through the real CLI:
 * "chi2" is scipy's name for chisquare and is accepted as it; a made-up method is one sentence
 * naming the key and exit 2 (before, the live engine threw on it), for every command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { parseConfig } from '../../src/config.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');

function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('parseConfig: chi2 becomes chisquare, a made-up method is refused with its key', () => {
  assert.equal(parseConfig('{"drift":{"perFeature":{"origin":{"method":"chi2"}}}}').drift.perFeature.origin!.method, 'chisquare');
  assert.equal(parseConfig('{"drift":{"perFeature":{"x":{"method":"jensen-shannon"}}}}').drift.perFeature.x!.method, 'jensenshannon');
  assert.throws(() => parseConfig('{"drift":{"perFeature":{"origin":{"method":"magic"}}}}'), /drift\.perFeature\.origin\.method "magic" is not one of ks, chisquare \(or chi2\)/);
});

test('the real CLI: "chi2" runs as chisquare; a made-up method is one sentence naming the key, exit 2', async () => {
  const dir = tempDir();
  const rows = (shift: number) => ['origin,distance', ...Array.from({ length: 400 }, (_, i) => `${['MCI', 'LAX', 'ORD'][(i + shift) % 3]},${100 + (i % 50)}`)].join('\n');
  writeFileSync(join(dir, 'ref.csv'), `${rows(0)}\n`);
  writeFileSync(join(dir, 'cur.csv'), `${rows(0)}\n`);
  writeFileSync(join(dir, 'chi2.config.json'), JSON.stringify({ drift: { perFeature: { origin: { method: 'chi2' } } } }));
  writeFileSync(join(dir, 'bad.config.json'), JSON.stringify({ drift: { perFeature: { origin: { method: 'magic' } } } }));

  const ok = await cli(['--config', 'chi2.config.json', 'drift', '--reference', 'ref.csv', '--current', 'cur.csv', '--json'], dir);
  assert.equal(ok.code, 0, ok.stderr);
  const origin = JSON.parse(ok.stdout).features.find((f: { feature: string }) => f.feature === 'origin');
  assert.equal(origin.method, 'chisquare');

  for (const args of [['drift', '--reference', 'ref.csv', '--current', 'cur.csv'], ['status'], ['compare']]) {
    const bad = await cli(['--config', 'bad.config.json', ...args], dir);
    assert.equal(bad.code, 2, `${args[0]}: exit ${bad.code}, ${bad.stderr}`);
    const lines = bad.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${args[0]}: one line, got ${bad.stderr}`);
    assert.match(lines[0]!, /^mlops-tui: bad\.config\.json: config drift\.perFeature\.origin\.method "magic" is not one of /);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
  }
});

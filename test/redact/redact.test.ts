/*
 * Redaction: `{"redact": {"email": "hash", "ssn": "drop"}}`. Before it existed every raw value
 * of every feature was stored (in predictions, quarantine samples and the WAL) and shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../store/db.js';
import { HASH_PREFIX, Redactor, redactorFor } from '../../src/redact/redact.js';
import { buildProfile } from '../../src/drift/profile.js';
import { compareColumn } from '../../src/drift/columnDrift.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mlops-tui.js');
const T0 = Date.UTC(2026, 2, 1);
const KEY = Buffer.alloc(32, 7);

/* Every raw value below is a distinct marker that must not appear anywhere in the files. */
const USERS = ['alicewonder', 'bobbuilder', 'carolsinger', 'davedigger', 'erinexplorer', 'frankfurter', 'gracehopper', 'heidiklum'];
const SSNS = ['123-45-6789', '987-65-4321', '555-12-3434'];

function pred(i: number, email: unknown, ssn: unknown, extra = ''): string {
  return `{"ts":${T0 + i * 60_000},"id":"r-${i}","model":"m","version":1${extra},"features":{"hour":${i % 24},"email":${JSON.stringify(email)},"ssn":${JSON.stringify(ssn)}},"prediction":${i % 2},"score":0.5}`;
}

test('a redacted feature\'s raw value is nowhere in the database, its WAL or SHM, quarantine samples included', async () => {
  const root = tempDir();
  const watch = join(root, 'predictions');
  mkdirSync(watch);
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) lines.push(pred(i, `${USERS[i % 3]}@example.com`, SSNS[i % 3]));
  // escaped in JSON: the stored raw would be the decoded address
  lines.push(pred(300, 'x', SSNS[0]).replace('"email":"x"', '"email":"frankfurter\\u0040example.com"'));
  // not JSON: a bare value; JSON.parse's message quotes the line
  lines.push(`{"ts":${T0},"id":"q-1","model":"m","version":1,"features":{"email":davedigger@example.com,"ssn":${SSNS[1]}},"prediction":1}`);
  // nested values are quarantined with their sample
  lines.push(pred(302, { primary: 'erinexplorer@example.com' }, [SSNS[2], 'x']));
  lines.push(pred(303, ['heidiklum@example.com', 'other'], SSNS[0]));
  // over the 1 KiB cap: only the first 512 bytes are kept, cut in the middle of the address
  const pad = 'p'.repeat(470);
  lines.push(pred(304, 'gracehopper@example.com', SSNS[2], `,"pad":"${pad}"`).replace(/}$/, `,"tail":"${'t'.repeat(2000)}"}`));
  writeFileSync(join(watch, 'a.jsonl'), `${lines.join('\n')}\n`);
  writeFileSync(join(root, 'mlops.config.json'), JSON.stringify({ redact: { email: 'hash', ssn: 'drop' }, ingest: { maxLineBytes: 1024 } }));
  const dbPath = join(root, 'state', 'mlops.db');

  const child = spawn(process.execPath, [BIN, 'ingest', '--quiet', '--db', dbPath, '--watch', watch], { cwd: root, stdio: 'ignore' });
  try {
    for (;;) {
      let n = 0;
      if (existsSync(dbPath)) {
        try {
          const db = openDb(dbPath, { readonly: true });
          n = (db.prepare('SELECT (SELECT count(*) FROM predictions) + (SELECT count(*) FROM quarantine)').pluck().get() as number);
          db.close();
        } catch { /* not created yet */ }
      }
      if (n === 305) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    // SIGKILL: the WAL stays as a crash leaves it
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`].filter((p) => existsSync(p));
  assert.ok(files.includes(`${dbPath}-wal`), 'the WAL is there to be searched');
  const bytes = Buffer.concat(files.map((p) => readFileSync(p)));
  const found = [...USERS, ...SSNS, '@example.com'].filter((raw) => bytes.includes(Buffer.from(raw)));
  assert.deepEqual(found, [], 'no raw value in the database files');

  const db = openDb(dbPath, { readonly: true });
  const q = db.prepare('SELECT reason, text FROM quarantine ORDER BY line_no').all() as Array<{ reason: string; text: string }>;
  assert.equal(q.length, 4);
  assert.match(q[3].reason, /exceeds the 1024-byte cap/);
  assert.ok(q.every((r) => !r.text.includes('example')), 'samples redacted');
  assert.match(q[0].text, /"email":"h:[\w-]{22}"/, 'the bare value replaced by its token');
  assert.match(q[0].text, /"ssn":"\[dropped\]"/);
  const features = db.prepare('SELECT features FROM predictions').pluck().all() as string[];
  const emails = new Set(features.map((f) => (JSON.parse(f) as Record<string, unknown>).email));
  assert.equal(emails.size, 4, 'three addresses and the escaped one: four stable tokens');
  for (const e of emails) assert.match(String(e), /^h:[\w-]{22}$/);
  assert.ok(features.every((f) => !('ssn' in (JSON.parse(f) as object))), 'ssn dropped');
  const schema = db.prepare('SELECT name, kind FROM schema_fields ORDER BY name').all();
  assert.deepEqual(schema, [{ name: 'email', kind: 'categorical' }, { name: 'hour', kind: 'numeric' }]);
  db.close();
  // the key is outside the database, private
  const key = join(root, 'state', 'redact.key');
  assert.equal((statSync(key).mode & 0o777).toString(8), '600');
  const k = readFileSync(key, 'utf8').trim();
  assert.ok(!bytes.includes(Buffer.from(k)) && !bytes.includes(Buffer.from(k, 'hex')), 'the key is not in the database');
  // the same key gives the same tokens: a second process hashes alike
  const again = redactorFor({ db: dbPath, redact: { email: 'hash' }, redactKeyFile: null })!;
  assert.ok(emails.has(again.hash('alicewonder@example.com')));
});

test('drift compares hashed categoricals: the reference is hashed with the same key', () => {
  const r = new Redactor({ email: 'hash', ssn: 'drop' }, KEY);
  const domains = (n: number, shift: number) => Array.from({ length: n }, (_, i) => ({ email: `u${(i * 7 + shift) % 40}@d${i % 5}.com`, ssn: `${i}`, hour: i % 24 }));
  const schema = { email: 'categorical', ssn: 'categorical', hour: 'numeric' } as const;
  const refProfile = buildProfile(domains(4000, 0), schema);
  const ref = r.reference({ schema: { ...schema }, profile: refProfile });
  assert.deepEqual(Object.keys(ref.schema).sort(), ['email', 'hour'], 'a dropped feature leaves the comparison');
  const live = (rows: Array<Record<string, unknown>>) => buildProfile(rows.map((x) => r.features(x as never)), ref.schema, ref.profile);
  const same = compareColumn('email', ref.profile.columns.email, live(domains(3000, 0)).columns.email);
  assert.ok(same.statistic < 0.05 && same.level === 'ok', `same distribution: ${same.method} ${same.statistic}`);
  const moved = compareColumn('email', ref.profile.columns.email, live(domains(3000, 0).map((x, i) => ({ ...x, email: i % 2 ? 'new@x.com' : x.email }))).columns.email);
  assert.equal(moved.level, 'drift', `half the traffic from one new address: ${moved.method} ${moved.statistic}`);
  // against the raw reference every token would be new: the comparison is meaningless
  const raw = compareColumn('email', refProfile.columns.email, live(domains(3000, 0)).columns.email);
  assert.equal(raw.level, 'drift');
});

test('text redaction handles strings, escapes, numbers, objects, arrays and values cut off at the end', () => {
  const r = new Redactor({ email: 'hash', ssn: 'drop' }, KEY);
  const t = r.hash('a@b.c');
  assert.equal(r.text('{"email":"a@b.c"}'), `{"email":"${t}"}`);
  assert.equal(r.text('{"email" : "a\\u0040b.c"}'), `{"email" : "${t}"}`, 'an escaped value is decoded first: same token');
  assert.equal(r.text('{"ssn":123456789,"x":1}'), '{"ssn":"[dropped]","x":1}');
  assert.equal(r.text('{"ssn":{"a":["1","2"]},"x":1}'), '{"ssn":"[dropped]","x":1}');
  assert.equal(r.text('{"ssn":["1","2"],"x":1}'), '{"ssn":"[dropped]","x":1}');
  assert.ok(!r.text('{"pad":1,"email":"secret.per').includes('secret'), 'cut off mid-value');
  assert.equal(r.text('{"email":null}'), '{"email":null}');
  assert.equal(r.text('no keys here'), 'no keys here');
  assert.ok(t.startsWith(HASH_PREFIX));
  assert.notEqual(new Redactor({ email: 'hash' }, Buffer.alloc(32, 8)).hash('a@b.c'), t, 'keyed: another key, another token');
});

test('check fails on raw values of redacted features stored before redact was configured', () => {
  const root = tempDir();
  const watch = join(root, 'predictions');
  mkdirSync(watch);
  writeFileSync(join(watch, 'a.jsonl'), `${[0, 1, 2].map((i) => pred(i, `${USERS[i]}@example.com`, SSNS[i])).join('\n')}\n`);
  const dbPath = join(root, 'mlops.db');
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--db', dbPath, '--watch', watch], { cwd: root, encoding: 'utf8' });
  assert.equal(run(['ingest', '--once', '--quiet']).status, 0);
  writeFileSync(join(root, 'mlops.config.json'), JSON.stringify({ redact: { email: 'hash', ssn: 'drop' } }));
  writeFileSync(join(watch, 'b.jsonl'), `${[3, 4].map((i) => pred(i, `${USERS[i]}@example.com`, SSNS[0])).join('\n')}\n`);
  assert.equal(run(['ingest', '--once', '--quiet']).status, 0);
  const c = run(['check']);
  assert.equal(c.status, 1, c.stdout);
  assert.match(c.stdout, /FAIL  redaction +raw values of redacted features/);
  assert.match(c.stdout, /3 predictions hold a raw "email" \(not a hash token\)/);
  assert.match(c.stdout, /3 predictions hold a raw "ssn" \(to be dropped\)/);
});

test('serve logs redacted features (the models still score the raw ones); ingesting its log keeps the same tokens', async () => {
  const { tinyRegistry } = await import('../helpers/tinyRegistry.js');
  const { startServer } = await import('../../src/serve/server.js');
  const { dbPath } = await tinyRegistry();
  const out = join(tempDir(), 'predictions');
  const r = redactorFor({ db: dbPath, redact: { origin: 'hash', destination: 'drop' }, redactKeyFile: null })!;
  const db = openDb(dbPath);
  const s = await startServer(db, { out, port: 0, redact: r });
  try {
    const res = await fetch(`${s.url}/predict`, { method: 'POST', body: JSON.stringify({ id: 'r-1', ts: '2001-03-02T18:00:00Z', features: { hour: 18, dow: 'Fri', distance: 405, origin: 'MCI', destination: 'MDW' } }) });
    assert.equal(res.status, 200);
  } finally {
    await s.close();
    db.close();
  }
  const log = readFileSync(join(out, 'serve-2001-03-02.jsonl'), 'utf8');
  assert.ok(!log.includes('MCI') && !log.includes('MDW'), log);
  const first = JSON.parse(log.split('\n')[0]) as { features: Record<string, unknown> };
  assert.equal(first.features.origin, r.hash('MCI'));
  assert.ok(!('destination' in first.features));
  // a token passes through a second redaction unchanged
  assert.deepEqual(r.features(first.features as never), first.features);
});

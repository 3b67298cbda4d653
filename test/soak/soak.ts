/**
 * Soak harness (issue 13): a production host compressed into minutes.
 *
 * - a writer appends prediction, label and bad lines to `app.jsonl` at a high rate and rotates
 *   it like logrotate: by rename (`create`: the writer keeps its old descriptor for 1–1.5 s,
 *   then reopens, as after a postrotate signal) and by `copytruncate`, keeping `rotate 3`;
 * - the console's engine runs headless the whole time (it ingests and analyses), and a second
 *   ingester, `mlops-tui ingest`, is SIGKILLed at random moments and restarted;
 * - another process holds the database's write lock for longer than the busy timeout.
 *
 * At the end every line the writer wrote must be in the database exactly once, except lines
 * that copytruncate can lose: those after the offset ingest had committed when the file was
 * truncated (README, "copytruncate loses lines"). Those losses are measured and printed. The
 * engine's resident memory must not grow by more than 10% after warm-up. Prints each check
 * and `N passed, N failed`.
 *
 *   npm run soak -- --seconds 600 --rate 3000 --seed 7
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, fstatSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { mulberry32 } from '../../src/util/random.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface SoakOptions {
  seconds: number;
  /** lines per second the writer appends */
  rate: number;
  seed: number;
  /** seconds between rotations (alternating rename and copytruncate) */
  rotateEvery: number;
  /** seconds between database locks; each lock is held `lockSeconds` */
  lockEvery: number;
  lockSeconds: number;
  /** an ingest process lives this many seconds (random between the two) before its SIGKILL */
  killAfter: [number, number];
  /** share of the run before memory is taken as the baseline */
  warmup: number;
  log: (line: string) => void;
}

export const DEFAULTS: SoakOptions = {
  seconds: 600, rate: 3000, seed: 7, rotateEvery: 7, lockEvery: 20, lockSeconds: 6, killAfter: [2, 6], warmup: 0.3,
  log: (l) => process.stdout.write(`${l}\n`),
};

export interface SoakReport {
  passed: number;
  failed: number;
  checks: Array<{ ok: boolean; what: string }>;
  figures: {
    lines: number; predictions: number; labels: number; bad: number;
    renames: number; truncations: number; kills: number; locks: number;
    lost: number; atRisk: number; lostPerTruncation: number[]; truncatedDuringLock: boolean[];
    rssBaselineMb: number; rssEndMb: number; rssGrowth: number;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child { proc: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> }

function start(args: string[], cwd: string): Child {
  const proc = spawn(process.execPath, ['--import', TSX, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.length > 4_000_000) out = out.slice(-2_000_000); });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); if (err.length > 200_000) err = err.slice(-100_000); });
  return { proc, out: () => out, err: () => err, exited: new Promise((r) => proc.on('close', (code) => r(code))) };
}

/** The writer: what it wrote, per key, and where the current file's lines end. */
class Writer {
  private fd: number;
  private n = 0;
  private genEnds: number[] = [];
  private genKeys: string[] = [];
  private pos = 0;
  readonly predictions = new Set<string>();
  readonly labels = new Set<string>();
  readonly bad = new Set<string>();
  /** Keys that copytruncate may have lost (after the committed offset at a truncation). */
  readonly atRisk = new Set<string>();
  readonly riskPerTruncation: string[][] = [];
  private oldFd: number | null = null;
  lines = 0;

  constructor(private readonly path: string, private readonly rng: () => number) {
    this.fd = openSync(path, 'a');
  }

  private line(): { text: string; key: string; kind: 'p' | 'l' | 'b' } {
    const i = this.n++;
    if (i % 997 === 500) return { text: `not json #${i}`, key: `not json #${i}`, kind: 'b' };
    // every prediction is labelled 40 lines later (engine state for a request is bounded)
    if (i % 3 === 2 && i >= 120) {
      const id = `s-${i - 120}`;
      if (this.predictions.has(id) && !this.labels.has(id)) {
        return { text: JSON.stringify({ ts: 981158400000 + (i - 120) * 100 + 3_600_000, id, label: (i - 120) % 4 === 0 ? 1 : 0 }), key: id, kind: 'l' };
      }
    }
    const id = `s-${i}`;
    const x = this.rng();
    return {
      text: JSON.stringify({ ts: 981158400000 + i * 100, id, model: 'm', version: 1, features: { x, c: ['a', 'b', 'c'][i % 3] }, prediction: x > 0.5 ? 1 : 0, score: x }),
      key: id, kind: 'p',
    };
  }

  /** Appends `k` lines to the current descriptor (or the old one during a rename's grace). */
  write(k: number): void {
    let s = '';
    const fd = this.oldFd ?? this.fd;
    for (let j = 0; j < k; j++) {
      const l = this.line();
      s += `${l.text}\n`;
      (l.kind === 'p' ? this.predictions : l.kind === 'l' ? this.labels : this.bad).add(l.key);
      if (this.oldFd === null) {
        this.pos += Buffer.byteLength(l.text) + 1;
        this.genEnds.push(this.pos);
        this.genKeys.push(`${l.kind}:${l.key}`);
      }
    }
    writeSync(fd, s);
    this.lines += k;
  }

  inode(): string {
    const st = fstatSync(this.fd);
    return `${st.dev}:${st.ino}`;
  }

  /** logrotate `create`: rename, new file; the writer keeps the old descriptor until reopen(). */
  rename(to: string): void {
    renameSync(this.path, to);
    writeFileSync(this.path, '');
    this.oldFd = this.fd;
    this.fd = openSync(this.path, 'a');
    this.pos = 0;
    this.genEnds = [];
    this.genKeys = [];
  }

  /** postrotate: the writer closes its old descriptor. */
  reopen(): void {
    if (this.oldFd !== null) closeSync(this.oldFd);
    this.oldFd = null;
  }

  /** logrotate `copytruncate`; `committed` is the offset ingest had committed for this file. */
  copytruncate(to: string, committed: number): void {
    copyFileSync(this.path, to);
    truncateSync(this.path, 0);
    const risk: string[] = [];
    for (let i = 0; i < this.genEnds.length; i++) {
      if (this.genEnds[i] > committed) {
        this.atRisk.add(this.genKeys[i]);
        risk.push(this.genKeys[i]);
      }
    }
    this.riskPerTruncation.push(risk);
    this.pos = 0;
    this.genEnds = [];
    this.genKeys = [];
  }

  close(): void {
    this.reopen();
    closeSync(this.fd);
  }
}

export async function runSoak(opts: Partial<SoakOptions> = {}): Promise<SoakReport> {
  const o: SoakOptions = { ...DEFAULTS, ...opts };
  const rng = mulberry32(o.seed);
  const root = mkdtempSync(join(tmpdir(), 'mlops-soak-'));
  const dir = join(root, 'predictions');
  mkdirSync(dir);
  const dbPath = join(root, 'mlops.db');
  const cfgPath = join(root, 'mlops.config.json');
  writeFileSync(cfgPath, JSON.stringify({ watch: dir, db: dbPath, ingest: { pollMs: 250, rotationGrace: '3s' } }));
  const appPath = join(dir, 'app.jsonl');
  const checks: SoakReport['checks'] = [];
  const check = (ok: boolean, what: string): void => {
    checks.push({ ok, what });
    o.log(`${ok ? 'ok' : 'not ok'} - ${what}`);
  };

  const writer = new Writer(appPath, rng);
  const engine = start([join(REPO, 'test/soak/engineProc.ts'), cfgPath], root);
  const ingestArgs = [join(REPO, 'src/cli/main.ts'), 'ingest', '--config', cfgPath, '--quiet'];
  // Assigned inside timers: typed by a cast so the checker does not narrow it to null here.
  let ingest = null as Child | null;
  let kills = 0;
  let renames = 0;
  let truncations = 0;
  let locks = 0;
  const timers: NodeJS.Timeout[] = [];
  let locked = false;
  const truncatedDuringLock: boolean[] = [];
  const rotated: string[] = [];
  // A timeline of the injected faults, printed with the files table when a line was stored twice.
  const events: string[] = [];
  let t0 = Date.now();
  const ev = (what: string): void => { events.push(`${((Date.now() - t0) / 1000).toFixed(2)} ${what}`); };
  let reader = null as Database.Database | null;
  const committedOffset = (inode: string): number => {
    reader ??= new Database(dbPath, { readonly: true, fileMustExist: true });
    const r = reader.prepare('SELECT offset FROM files WHERE path = ? AND inode = ? AND superseded <> 1 ORDER BY id DESC LIMIT 1').get(appPath, inode) as { offset: number } | undefined;
    return r?.offset ?? 0;
  };

  try {
    for (let t = 0; !engine.out().includes('"started"'); t++) {
      if (t > 1200) throw new Error(`the engine did not start: ${engine.err()}`);
      await sleep(50);
    }
    const began = Date.now();
    t0 = began;
    const until = began + o.seconds * 1000;
    o.log(`# soak: ${o.seconds} s at ${o.rate} lines/s in ${root}`);

    // the writer, in steps of 20 ms
    let owed = 0;
    let last = Date.now();
    timers.push(setInterval(() => {
      const now = Date.now();
      owed += ((now - last) / 1000) * o.rate;
      last = now;
      const k = Math.floor(owed);
      owed -= k;
      if (k > 0) writer.write(k);
    }, 20));

    // the killer
    const cycleIngest = async (): Promise<void> => {
      while (Date.now() < until) {
        ingest = start(ingestArgs, root);
        ev(`ingest ${ingest.proc.pid} started`);
        const life = (o.killAfter[0] + rng() * (o.killAfter[1] - o.killAfter[0])) * 1000;
        await sleep(Math.min(life, Math.max(0, until - Date.now())));
        if (Date.now() >= until) break;
        ingest.proc.kill('SIGKILL');
        ev(`ingest ${ingest.proc.pid} SIGKILL`);
        await ingest.exited;
        kills++;
        await sleep(100 + rng() * 700);
      }
    };
    const killer = cycleIngest();

    // logrotate: rename and copytruncate in turn, keeping three rotated files
    let k = 0;
    const rotateLoop = (async () => {
      while (Date.now() + o.rotateEvery * 1000 < until) {
        await sleep(o.rotateEvery * 1000);
        k++;
        const to = join(dir, `app.jsonl.${k}`);
        if (k % 2 === 1) {
          writer.rename(to);
          ev(`rename app.jsonl (${writer.inode()}) -> ${to.slice(dir.length + 1)}`);
          renames++;
          await sleep(1000 + rng() * 500);
          writer.reopen();
          ev(`writer reopens app.jsonl (${writer.inode()})`);
        } else {
          const committed = committedOffset(writer.inode());
          writer.copytruncate(to, committed);
          ev(`copytruncate app.jsonl (${writer.inode()}) -> ${to.slice(dir.length + 1)}, committed offset ${committed}${locked ? ', database locked' : ''}`);
          truncatedDuringLock.push(locked);
          truncations++;
        }
        rotated.push(to);
        if (rotated.length > 3) rmSync(rotated.shift()!, { force: true });
      }
    })();

    // a writer holding the database's lock past the 5 s busy timeout
    const lockLoop = (async () => {
      const locker = new Database(dbPath);
      try {
        while (Date.now() + (o.lockEvery + o.lockSeconds) * 1000 < until) {
          await sleep(o.lockEvery * 1000);
          locker.exec('BEGIN IMMEDIATE');
          locked = true;
          locks++;
          ev('lock taken');
          await sleep(o.lockSeconds * 1000);
          locker.exec('COMMIT');
          ev('lock released');
          locked = false;
        }
      } finally {
        locker.close();
      }
    })();

    while (Date.now() < until) await sleep(250);
    for (const t of timers) clearInterval(t);
    await Promise.all([killer, rotateLoop, lockLoop]);
    writer.close();
    o.log(`# wrote ${writer.lines} lines; ${renames} rename and ${truncations} copytruncate rotations, ${kills} SIGKILLs, ${locks} locks`);

    // Catch up: a fresh ingester beside the engine until nothing moves for longer than the grace.
    // (a process SIGKILLed last has a signalCode and no exitCode)
    const lastIngest = ingest as Child | null;
    const running = lastIngest !== null && lastIngest.proc.exitCode === null && lastIngest.proc.signalCode === null ? lastIngest : start(ingestArgs, root);
    ingest = running;
    const db = new Database(dbPath, { readonly: true });
    try {
      const size = (): number => db.prepare('SELECT (SELECT count(*) FROM predictions) + (SELECT count(*) FROM labels) + (SELECT count(*) FROM quarantine)').pluck().get() as number;
      let seen = -1;
      let still = Date.now();
      const deadline = Date.now() + 90_000;
      while (Date.now() - still < 5000 && Date.now() < deadline) {
        await sleep(250);
        const n = size();
        if (n !== seen) { seen = n; still = Date.now(); }
      }
      running.proc.kill('SIGTERM');
      engine.proc.kill('SIGTERM');
      const [ic, ec] = await Promise.all([running.exited, engine.exited]);
      check(ic === 0, `the last ingest stops cleanly on SIGTERM (exit ${ic})`);
      check(ec === 0, `the engine stops cleanly on SIGTERM (exit ${ec})`);

      const got = (sql: string): Set<string> => new Set(db.prepare(sql).pluck().all() as string[]);
      const preds = got("SELECT request_id FROM predictions");
      const labels = got('SELECT request_id FROM labels');
      const quarantined = db.prepare('SELECT text, count(*) AS n FROM quarantine GROUP BY text').all() as Array<{ text: string; n: number }>;
      const missing: string[] = [];
      for (const id of writer.predictions) if (!preds.has(id)) missing.push(`p:${id}`);
      for (const id of writer.labels) if (!labels.has(id)) missing.push(`l:${id}`);
      const qset = new Map(quarantined.map((q) => [q.text, q.n]));
      for (const t of writer.bad) if (!qset.has(t)) missing.push(`b:${t}`);
      const unexplained = missing.filter((m) => !writer.atRisk.has(m));
      const extra = [...preds].filter((id) => !writer.predictions.has(id)).length + [...labels].filter((id) => !writer.labels.has(id)).length
        + quarantined.filter((q) => !writer.bad.has(q.text)).length;
      const twice = quarantined.filter((q) => q.n > 1).length;
      const dups = (db.prepare('SELECT coalesce(sum(duplicates), 0) FROM files').pluck().get() as number);
      const conflicts = (db.prepare('SELECT count(*) FROM conflicts').pluck().get() as number);
      check(unexplained.length === 0, `every line written is in the database, except copytruncate's window: ${unexplained.length} lost outside it${unexplained.length ? ` (e.g. ${unexplained.slice(0, 3).join(', ')})` : ''}`);
      check(extra === 0, `nothing in the database that was not written (${extra})`);
      check(dups === 0 && twice === 0 && conflicts === 0, `each line stored once: ${dups} re-read, ${twice} quarantined lines stored twice, ${conflicts} conflicts`);
      if (dups > 0 || twice > 0) {
        o.log('# files (id inode head_len offset lines predictions duplicates state first_seen updated_at, seconds from start):');
        const rows = db.prepare('SELECT id, inode, head_len, offset, line_no, predictions, duplicates, superseded, first_seen, updated_at FROM files ORDER BY id').all() as Array<Record<string, number | string>>;
        for (const r of rows) o.log(`#   ${r.id} ${r.inode} ${r.head_len} ${r.offset} ${r.line_no} ${r.predictions} ${r.duplicates} ${r.superseded} ${((Number(r.first_seen) - began) / 1000).toFixed(2)} ${((Number(r.updated_at) - began) / 1000).toFixed(2)}`);
        o.log('# timeline:');
        for (const e of events) o.log(`#   ${e}`);
      }
      const lostSet = new Set(missing);
      const lostPerTruncation = writer.riskPerTruncation.map((r) => r.filter((key) => lostSet.has(key)).length);
      const per = lostPerTruncation.map((n, i) => `${n} of ${writer.riskPerTruncation[i].length}${truncatedDuringLock[i] ? ' (database locked)' : ''}`).join(', ');
      o.log(`# copytruncate: ${missing.length} lines lost in ${truncations} truncations (lost of those after the committed offset, per truncation: ${per || '—'}), at ${o.rate} lines/s`);

      // Memory of the long-lived engine after warm-up. RSS is a sawtooth (the heap grows until
      // a collection): the peak of the first third after warm-up against the peak of the last.
      const samples = engine.out().split('\n').filter((l) => l.startsWith('{"at"')).map((l) => JSON.parse(l) as { at: number; rss: number });
      const after = samples.filter((s) => s.at >= began + o.warmup * o.seconds * 1000 && s.at <= until);
      const third = Math.max(1, Math.floor(after.length / 3));
      const base = Math.max(...after.slice(0, third).map((s) => s.rss));
      const end = Math.max(...after.slice(-third).map((s) => s.rss));
      o.log(`# engine rss (MB) after warm-up, every 5 s: ${after.filter((_, i) => i % 5 === 0).map((x) => (x.rss / 2 ** 20).toFixed(0)).join(' ')}`);
      const growth = base > 0 ? end / base - 1 : 0;
      check(after.length >= 5 && growth < 0.1, `engine memory after warm-up: ${(base / 2 ** 20).toFixed(0)} MB → ${(end / 2 ** 20).toFixed(0)} MB (${(growth * 100).toFixed(1)}%, limit 10%)`);
      const errors = engine.out().split('\n').filter((l) => l.startsWith('{"error"')).map((l) => (JSON.parse(l) as { error: string }).error);
      const unexpected = errors.filter((e) => !/database is locked|retry/.test(e));
      check(unexpected.length === 0, `engine errors other than the lock's retries: ${unexpected.length}${unexpected.length ? ` (${unexpected[0]})` : ''}`);
      check(kills >= 1 && renames >= 1 && truncations >= 1 && locks >= 1, `faults injected: ${kills} SIGKILLs, ${renames} renames, ${truncations} copytruncates, ${locks} locks of ${o.lockSeconds} s`);

      const passed = checks.filter((c) => c.ok).length;
      const failed = checks.length - passed;
      o.log(`${passed} passed, ${failed} failed`);
      return {
        passed, failed, checks,
        figures: {
          lines: writer.lines, predictions: writer.predictions.size, labels: writer.labels.size, bad: writer.bad.size,
          renames, truncations, kills, locks, lost: missing.length, atRisk: writer.atRisk.size, lostPerTruncation, truncatedDuringLock,
          rssBaselineMb: base / 2 ** 20, rssEndMb: end / 2 ** 20, rssGrowth: growth,
        },
      };
    } finally {
      db.close();
    }
  } finally {
    for (const t of timers) clearInterval(t);
    reader?.close();
    for (const c of [engine, ingest as Child | null]) if (c && c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
}

function argsOf(argv: string[]): Partial<SoakOptions> {
  const out: Partial<SoakOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const v = Number(argv[i + 1]);
    switch (argv[i]) {
      case '--seconds': out.seconds = v; i++; break;
      case '--rate': out.rate = v; i++; break;
      case '--seed': out.seed = v; i++; break;
      case '--rotate-every': out.rotateEvery = v; i++; break;
      case '--lock-every': out.lockEvery = v; i++; break;
      case '--help':
        process.stdout.write('npm run soak -- [--seconds 600] [--rate 3000] [--seed 7] [--rotate-every 7] [--lock-every 20]\n');
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${argv[i]} (see --help)`);
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await runSoak(argsOf(process.argv.slice(2)));
  process.exit(r.failed === 0 ? 0 : 1);
}

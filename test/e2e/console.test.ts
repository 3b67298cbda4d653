/**
 * The console on a real terminal (tmux), on a database prepared with the real commands: two
 * small models trained on the first week of January 2001, the second week replayed through
 * them with an upstream incident (hour +6 h from 2001-01-11) so drift shows, then ingested.
 *
 * What an operator relies on: every screen reachable by number and Tab at 80×24 and 200×60,
 * no line wider than the terminal (a too-wide line wraps and scrolls the whole frame), a clean
 * redraw after a resize, promote only through a confirmation whose focus starts on Cancel,
 * and a log that carries terminal escape sequences cannot retitle or clear the terminal.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/tmp.js';
import { cells, sleep, startTmux, tmuxMissing, type Tmux } from '../helpers/tmux.js';
import { misaligned, toCells } from '../helpers/columns.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
const DATA = fileURLToPath(new URL('../../sample-data/flights-2001q1.csv.gz', import.meta.url));
const FEATURES = 'hour,dow,distance,origin,destination';

const HEADER = /^mlops-tui( \[read-only\])? │ db /;
const COUNTS = / preds \d[\d.,]*[kM]? labels/;
const TABS = /^ ?\[?1 Overview\]? +\[?2 Drift/;

/** What each screen shows: its tab marked in the tab line, and something only its body has. */
const SCREENS: Array<{ key: string; title: string; body: RegExp }> = [
  { key: '1', title: 'Overview', body: /model +alias +preds +labels/ },
  { key: '2', title: 'Drift', body: /feature +kind +method +stat/ },
  { key: '3', title: 'Shadow', body: /candidate +vs +n +agree/ },
  { key: '4', title: 'Models', body: /name +ver +alias +type/ },
  { key: '5', title: 'Retrain', body: /job +model +type +status/ },
  { key: '6', title: 'Events', body: /\[e events \(\d+\)\]/ },
  { key: '7', title: 'Quality', body: /feature +rule +flagged/ },
];
const marker = (n: number, title: string): RegExp => new RegExp(`\\[${n} ${title}\\]`);

async function cli(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

interface Prepared { dir: string; db: string; preds: string; config: string }

// The caller removes `dir` (a before hook cannot register the file-level cleanup of tempDir).
async function prepare(dir: string): Promise<Prepared> {
  const db = join(dir, 'mlops.db');
  const preds = join(dir, 'predictions');
  const config = join(dir, 'mlops.config.json');
  // A variance-aware gate on a loose condition: it really evaluates the held-out rows of this
  // small slice (a few thousand), where the default Hoeffding condition needs ~190k rows.
  writeFileSync(config, JSON.stringify({ gate: { bound: 'bernstein', condition: 'n - o > -0.05 +/- 0.05', reliability: 0.95 } }));
  const common = ['--db', db, '--config', config];
  const slice = ['--data', DATA, '--label', 'delayed', '--time', 'ts'];
  // Sequential: the first model of a name becomes active, so the order decides which.
  await cli([...common, 'train', ...slice, '--features', FEATURES, '--from', '2001-01-01', '--until', '2001-01-08', '--name', 'flights-logreg'], dir);
  await cli([...common, 'train', ...slice, '--features', FEATURES, '--from', '2001-01-01', '--until', '2001-01-08', '--name', 'flights-mlp', '--type', 'mlp'], dir);
  await cli([...common, 'replay', ...slice, '--from', '2001-01-08', '--until', '2001-01-15', '--out', preds, '--rate', '0',
    '--label-delay', '2h', '--incident', 'hour+6h@2001-01-11', '--quiet'], dir);
  await cli([...common, '--watch', preds, 'ingest', '--once'], dir);
  return { dir, db, preds, config };
}

/** The tables checked for layout, with how their columns align. */
const LAYOUT: Array<{ key: string; header: RegExp; row: RegExp; align: Record<string, 'left' | 'right'> }> = [
  { key: '1', header: /^  model +alias +preds/, row: /^[> ] flights-logreg@1 /m, align: { model: 'left', alias: 'left', preds: 'right', labels: 'right', cover: 'right', acc: 'right', logloss: 'right', auc: 'right', 'est.acc': 'right' } },
  { key: '2', header: /^  feature +kind +method/, row: /^[> ] hour /m, align: { feature: 'left', kind: 'left', method: 'left', stat: 'right', p: 'right', thresh: 'right', level: 'left' } },
  { key: '3', header: /^  candidate +vs +n/, row: /^[> ] flights-mlp@1 /m, align: { candidate: 'left', vs: 'left', n: 'right', agree: 'right', 'Δacc': 'right', p: 'right', verdict: 'left', gate: 'right' } },
  { key: '4', header: /^  name +ver +alias/, row: /^[> ] flights-mlp /m, align: { name: 'left', ver: 'right', alias: 'left', type: 'left', created: 'left', rows: 'right', acc: 'right', logloss: 'right', auc: 'right' } },
];

/** The header line matching `header` and the table rows under it (up to the first blank or rule line). */
function tableOf(lines: string[], header: RegExp): { header: string; rows: string[] } {
  const i = lines.findIndex((l) => header.test(l));
  assert.ok(i >= 0, `no table header ${String(header)}:\n${lines.join('\n')}`);
  const rows: string[] = [];
  for (const l of lines.slice(i + 1)) {
    if (!/^[> ] \S/.test(l)) break;
    rows.push(l);
  }
  return { header: lines[i], rows };
}

interface AuditRow { action: string; subject: string; before: string | null; after: string | null }

async function history(p: Prepared): Promise<AuditRow[]> {
  return JSON.parse(await cli(['--db', p.db, 'history', '--json'], p.dir)) as AuditRow[];
}

/**
 * The active version as the audit trail (not the screen) says: the registration that made a
 * model active, then every promote or rollback, which names the version now active.
 */
async function activeFromAudit(p: Prepared): Promise<string | null> {
  let active: string | null = null;
  for (const r of (await history(p)).slice().reverse()) {
    if (r.action === 'register') {
      if (r.after === 'active') active = r.subject;
    } else if (r.after !== null && r.after.includes('@')) {
      active = r.after;
    }
  }
  return active;
}

/** `track` gets the session before anything can fail, so a console that never opens is still killed. */
async function openConsole(p: Prepared, cols: number, rows: number, track: (s: Tmux) => void): Promise<Tmux> {
  const s = startTmux({ cols, rows, cwd: p.dir });
  track(s);
  s.run(`node ${BIN} --db ${p.db} --watch ${p.preds} --config ${p.config}`);
  await s.waitFor((sc) => HEADER.test(sc.split('\n')[0]) && COUNTS.test(sc) && marker(1, 'Overview').test(sc), 30_000, 'the console with counted predictions');
  assert.equal(s.display('#{alternate_on}'), '1', 'the console runs on the alternate screen');
  return s;
}

/** No line wider than the pane, and the frame drawn once: one header, one count line, one tab line. */
function assertCleanFrame(s: Tmux, cols: number, rows: number, where: string): void {
  assert.deepEqual(s.size(), { cols, rows }, `${where}: pane size`);
  const joined = s.joinedLines();
  const wide = joined.filter((l) => cells(l) > cols);
  assert.deepEqual(wide, [], `${where}: lines wider than ${cols} columns (the terminal wrapped them)`);
  const lines = s.lines();
  assert.equal(lines.length, rows, `${where}: rows captured`);
  assert.equal(lines.filter((l) => HEADER.test(l)).length, 1, `${where}: exactly one header line:\n${lines.join('\n')}`);
  assert.ok(HEADER.test(lines[0]), `${where}: the header is the first row:\n${lines.join('\n')}`);
  assert.equal(lines.filter((l) => COUNTS.test(l)).length, 1, `${where}: exactly one count line:\n${lines.join('\n')}`);
  assert.equal(lines.filter((l) => TABS.test(l)).length, 1, `${where}: exactly one tab line:\n${lines.join('\n')}`);
}

/**
 * The frame is clean within `ms`: a capture can land while the terminal is still applying a
 * frame (a 200×60 frame is several pty writes); a broken frame stays broken and fails.
 */
async function eventuallyClean(s: Tmux, cols: number, rows: number, where: string, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      assertCleanFrame(s, cols, rows, where);
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(100);
    }
  }
}

/** Waits until the frame is clean (a redraw may take a frame or two), then checks it stays so. */
async function settleClean(s: Tmux, cols: number, rows: number, where: string): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    try {
      assertCleanFrame(s, cols, rows, where);
      break;
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(100);
    }
  }
  await sleep(500);
  assertCleanFrame(s, cols, rows, `${where}, half a second later`);
}

async function showScreen(s: Tmux, keys: string[], n: number, cols: number, rows: number): Promise<void> {
  const def = SCREENS[n - 1];
  // Which screen was up before, so a frame drawn before the key cannot pass for the answer.
  const before = SCREENS.findIndex((d, i) => marker(i + 1, d.title).test(s.capture())) + 1;
  assert.notEqual(before, n, `already on screen ${n} before ${keys.join(' ')}`);
  s.sendKeys(...keys);
  await s.waitFor((sc) => marker(n, def.title).test(sc) && def.body.test(sc), 15_000, `screen ${n} ${def.title} after ${keys.join(' ')}`);
  await eventuallyClean(s, cols, rows, `${def.title} at ${cols}×${rows}`);
}

async function quit(s: Tmux): Promise<void> {
  s.sendKeys('q');
  assert.equal(await s.exitCode(15_000), 0);
  assert.equal(s.display('#{alternate_on}'), '0', 'the alternate screen was left');
  assert.ok(!s.lines().some((l) => HEADER.test(l)), 'no console frame on the normal screen');
}

describe('the console in tmux', { skip: tmuxMissing() ?? false, timeout: 300_000 }, () => {
  let p: Prepared;
  const sessions: Tmux[] = [];
  const open = async (cols: number, rows: number): Promise<Tmux> => {
    return openConsole(p, cols, rows, (s) => sessions.push(s));
  };
  const dir = mkdtempSync(join(tmpdir(), 'mlops-e2e-console-'));
  before(async () => { p = await prepare(dir); }, { timeout: 120_000 });
  after(() => {
    for (const s of sessions) s.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [cols, rows] of [[80, 24], [200, 60]] as const) {
    test(`every screen by number, Tab and Shift-Tab at ${cols}×${rows}`, async () => {
      const s = await open(cols, rows);
      await eventuallyClean(s, cols, rows, `start at ${cols}×${rows}`);
      // Everything was ingested before the console opened: the header must say so once the
      // engine has read it back (it used to say "catching up" for ever).
      await s.waitFor((sc) => COUNTS.test(sc) && !/catching up/.test(sc), 20_000, 'the header to stop saying "catching up"');
      const last = SCREENS.length;
      for (let n = 2; n <= last; n++) await showScreen(s, [String(n)], n, cols, rows);
      await showScreen(s, ['1'], 1, cols, rows);
      await showScreen(s, [String(last)], last, cols, rows);
      // Tab goes round: from the last screen back to Overview, then on through every screen.
      for (let i = 0; i < last; i++) await showScreen(s, ['Tab'], ((last + i) % last) + 1, cols, rows);
      await showScreen(s, ['BTab'], last - 1, cols, rows);

      // Drift: Enter opens the selected feature's chart, Esc goes back to the table.
      await showScreen(s, ['2'], 2, cols, rows);
      s.sendKeys('Enter');
      await s.waitFor(/per window \(last \d+ of \d+\); flat line = threshold/, 15_000, 'the drift chart');
      await eventuallyClean(s, cols, rows, `drift chart at ${cols}×${rows}`);
      s.sendKeys('Escape');
      await s.waitFor(SCREENS[1].body, 15_000, 'the drift table again');

      // Help lists the screen's keys and closes with Esc.
      s.sendKeys('?');
      await s.waitFor(/Keys: Drift/, 15_000, 'help');
      await eventuallyClean(s, cols, rows, `help at ${cols}×${rows}`);
      s.sendKeys('Escape');
      await s.waitFor((sc) => !/Keys: Drift/.test(sc) && SCREENS[1].body.test(sc), 15_000, 'help closed');

      // The command line reaches a screen by name.
      // ':' on its own: tmux writes a typed string in one chunk and Ink hands a chunk to the
      // handler as one input (a paste), which in normal mode is no key at all.
      s.sendKeys(':');
      await s.waitFor(/^:█/m, 15_000, 'the command line');
      s.type('models');
      await s.waitFor(/^:models█/m, 15_000, 'the typed command');
      s.sendKeys('Enter');
      await s.waitFor(marker(4, 'Models'), 15_000, ':models');
      await quit(s);
    });
  }

  test('at 120×36 every statistic is whole and every column lines up with its title', async () => {
    const s = await open(120, 36);
    for (const t of LAYOUT) {
      s.sendKeys(t.key);
      // The engine may still be building its first windows: wait for the rows, not only the header.
      await s.waitFor((sc) => sc.split('\n').some((l) => t.header.test(l)) && t.row.test(sc), 30_000, `the ${t.key} table with its rows`);
      await sleep(300);
      const { header, rows } = tableOf(s.lines(), t.header);
      assert.ok(rows.length > 0, `screen ${t.key} has rows`);
      for (const r of rows) {
        // Names here are short: nothing needs cutting at 120 columns, statistics least of all.
        assert.ok(!r.includes('…'), `screen ${t.key}: a cell was cut at 120 columns:\n${header}\n${r}`);
        assert.deepEqual(misaligned(header, r, t.align), [], `screen ${t.key}:\n${header}\n${r}`);
      }
    }
    await quit(s);
  });

  test('resize 80×24 → 200×60 → 80×24 redraws cleanly', async () => {
    const s = await open(80, 24);
    await showScreen(s, ['3'], 3, 80, 24);
    s.resize(200, 60);
    // At 80 columns the count line is cut ("active flights…"); at 200 it is whole.
    await s.waitFor(/│ active flights-logreg@1\s*$/m, 15_000, 'the redraw at 200×60');
    await settleClean(s, 200, 60, 'after growing to 200×60');
    s.resize(80, 24);
    await settleClean(s, 80, 24, 'after shrinking back to 80×24');
    // The screen and its state survived both redraws.
    await showScreen(s, ['4'], 4, 80, 24);
    await quit(s);
  });

  // tmux writes a typed string in one go, as a busy event loop or SSH can deliver keys: every
  // key must still count (Ink hands the whole read over as one input).
  test('keys that arrive in one read each count', async () => {
    const s = await open(80, 24);
    s.type('4j');
    await s.waitFor((sc) => marker(4, 'Models').test(sc) && /^> flights-mlp +1 shadow/m.test(sc), 15_000, 'Models with the second row selected after "4j"');
    s.type('23');
    await s.waitFor(marker(3, 'Shadow'), 15_000, 'Shadow after "23"');
    s.type(':q');
    await s.waitFor(/^:q█/m, 15_000, 'the command line holding q after ":q"');
    s.sendKeys('Enter');
    assert.equal(await s.exitCode(15_000), 0);
    assert.equal(s.display('#{alternate_on}'), '0');
  });

  test('promote on Models: Enter on the initial Cancel does nothing, Tab then Enter promotes', async () => {
    assert.equal(await activeFromAudit(p), 'flights-logreg@1');
    const s = await open(80, 24);
    await showScreen(s, ['4'], 4, 80, 24);
    // Select the shadow row and ask to promote it.
    s.sendKeys('j');
    await s.waitFor(/^> flights-mlp +1 shadow/m, 15_000, 'the shadow row selected');
    s.sendKeys('p');
    await s.waitFor(/Promote flights-mlp@1\?/, 15_000, 'the confirmation');
    const dialog = await s.waitFor(/verdict +pass: /, 20_000, 'the gate preview');
    assert.match(dialog, /\[> Cancel <\] +\[ +Promote +\]/, 'focus starts on Cancel');
    assert.match(dialog, /active now: flights-logreg@1 +→ +flights-mlp@1/);
    await eventuallyClean(s, 80, 24, 'confirmation');

    s.sendKeys('Enter');
    await s.waitFor(/^Cancelled\.\s*$/m, 15_000, 'the Cancelled flash');
    await s.waitFor(/^> flights-mlp +1 shadow/m, 15_000, 'the Models table, unchanged');
    await sleep(500);
    assert.equal(await activeFromAudit(p), 'flights-logreg@1', 'Enter on Cancel promoted nothing');
    assert.ok(!(await history(p)).some((r) => r.action.includes('promote')), 'no promotion in the audit trail');

    s.sendKeys('p');
    await s.waitFor(/verdict +pass: /, 20_000, 'the gate preview again');
    s.sendKeys('Tab');
    await s.waitFor(/\[ +Cancel +\] +\[> Promote <\]/, 15_000, 'focus on Promote');
    s.sendKeys('Enter');
    await s.waitFor(/flights-mlp +1 active/, 15_000, 'the Models table showing the new active model');
    const audit = await history(p);
    const promote = audit.find((r) => r.action === 'promote');
    assert.ok(promote, `a promote in the audit trail: ${JSON.stringify(audit.map((r) => r.action))}`);
    assert.equal(promote.subject, 'flights-mlp@1');
    assert.equal(await activeFromAudit(p), 'flights-mlp@1');

    // The audit trail on Events shows the switch too.
    await showScreen(s, ['6'], 6, 80, 24);
    await s.waitFor(/ promote +flights-logreg@1 → /, 15_000, 'the promotion on Events');
    await quit(s);
  });

  test('r on Models pins a CBPE reference through the engine thread: the period typed on a real terminal, audited, shown', async () => {
    const s = await open(120, 36);
    await showScreen(s, ['4'], 4, 120, 36);
    if (!/^> flights-mlp /m.test(s.capture())) s.sendKeys('j');
    await s.waitFor(/^> flights-mlp +1 /m, 15_000, 'the MLP selected');
    // Trained here: its reference is its own held-out rows until a period is pinned.
    await s.waitFor(/^reference: held-out rows .*· r pins a period/m, 20_000, 'the reference in force');
    s.sendKeys('r');
    // The replayed week 2001-01-08…14 is labelled from its first hours: that is the suggestion.
    const dialog = await s.waitFor(/│ > from +2001-01-08█/, 15_000, 'the first labelled week in the dialog');
    assert.match(dialog, /Pin the CBPE reference of flights-mlp@1/);
    assert.match(dialog, /│ {3}until +2001-01-15 /);
    assert.match(dialog, /first labelled week: [\d.,]+k? labelled rows with a score \(500 needed\)/);
    await eventuallyClean(s, 120, 36, 'the reference dialog');
    s.sendKeys('Tab');
    await s.waitFor(/> until +2001-01-15█/, 15_000, 'focus on until');
    s.sendKeys('BSpace', 'BSpace');
    await s.waitFor(/> until +2001-01-█/, 15_000, 'two characters erased');
    // tmux writes a typed string in one read: in a field it is text, whole.
    s.type('12');
    await s.waitFor(/> until +2001-01-12█/, 15_000, 'the typed day');
    s.sendKeys('Enter');
    await s.waitFor(/\[> Cancel <\] +\[ +Pin +\]/, 15_000, 'Enter on the last field lands on Cancel');
    assert.ok(!(await history(p)).some((r) => r.action === 'reference-set'), 'nothing pinned yet');
    s.sendKeys('Tab');
    await s.waitFor(/\[ +Cancel +\] +\[> Pin <\]/, 15_000, 'focus on Pin');
    s.sendKeys('Enter');
    await s.waitFor(/flights-mlp@1: CBPE reference pinned, \d+ labelled rows 2001-01-08 00:00 … 2001-01-12 00:00/, 30_000, 'the engine\'s answer on the flash line');
    await s.waitFor(/^reference: pinned 2001-01-08 … 2001-01-12, [\d.]+k? rows · r pins another/m, 10_000, 'the Models screen showing the pinned period');
    const pin = (await history(p)).find((r) => r.action === 'reference-set');
    assert.ok(pin, 'audited');
    assert.equal(pin.subject, 'flights-mlp@1');
    await quit(s);
  });
});

// ---------------------------------------------------------------------------------------------

const OSC_TITLE = '\u001b]0;owned\u0007';
const CLEAR = '\u001b[2J';
const EVIL = `${OSC_TITLE}${CLEAR}`;

const HOUR = `hour${EVIL}`;
const DEST = `dest${OSC_TITLE}`;
const EVIL_MODEL = `evil${EVIL}model`;

/**
 * Training data whose column names and categories carry escape sequences, so the registered
 * model's name, its reference profile and the drift table all hold them too.
 */
function writeHostileCsv(file: string): void {
  const rows = [`${HOUR},origin,distance,${DEST},y`];
  for (let i = 0; i < 1500; i++) {
    const hour = i % 24;
    rows.push(`${hour},${i % 3 === 0 ? `ORD${EVIL}` : 'LAX'},${100 + (i % 700)},${i % 2 ? `B${CLEAR}` : 'A'},${hour > 16 || i % 7 === 0 ? 1 : 0}`);
  }
  writeFileSync(file, rows.join('\n') + '\n');
}

/** A log whose model names, feature names and values carry escape sequences (as JSON escapes). */
function writeHostileLog(preds: string): void {
  mkdirSync(preds, { recursive: true });
  const lines: string[] = [];
  const t0 = Date.parse('2001-01-08T00:00:00Z');
  // Every 5 minutes over three days: the drift windows are whole days.
  for (let i = 0; i < 900; i++) {
    const ts = new Date(t0 + i * 300_000).toISOString();
    // The incident shifts the hour late in the log, so the drift screens have something to say.
    const hour = ((i % 288) / 12 | 0) + (i >= 576 ? 6 : 0);
    for (const model of [EVIL_MODEL, `other${OSC_TITLE}`]) {
      lines.push(JSON.stringify({
        ts, id: `r-${i}`, model, version: 1,
        features: { [HOUR]: hour, origin: i % 3 === 0 ? `ORD${EVIL}` : `SFO${CLEAR}`, distance: 100 + i, [DEST]: ['A', `B${CLEAR}`][i % 2] },
        prediction: i % 2, score: (i % 10) / 10,
      }));
    }
    lines.push(JSON.stringify({ ts: new Date(t0 + i * 300_000 + 3_600_000).toISOString(), id: `r-${i}`, label: hour > 16 ? 1 : 0 }));
  }
  // Lines that get quarantined, shown with their text on Events: raw ESC and BEL bytes in the
  // file, not JSON escapes, so the quarantine view has to strip them itself.
  lines.push(`not json ${EVIL} at all`);
  // Raw control characters inside a JSON string make it invalid JSON: quarantined too.
  lines.push(`{"ts":"2001-01-08T00:00:00Z","id":"q","model":"m${EVIL}","version":1,"features":{},"prediction":0}`);
  writeFileSync(join(preds, 'hostile.jsonl'), lines.join('\n') + '\n');
}

test('a log with escape sequences in model names, feature names and values leaves the terminal intact', { skip: tmuxMissing() ?? false, timeout: 180_000 }, async (t) => {
  const dir = tempDir('mlops-e2e-inject-');
  const preds = join(dir, 'predictions');
  const db = join(dir, 'mlops.db');
  const csv = join(dir, 'train.csv');
  writeHostileCsv(csv);
  // execFile passes the name as one argv entry, ESC and BEL included, as a script could.
  await cli(['--db', db, 'train', '--data', csv, '--label', 'y', '--name', EVIL_MODEL], dir);
  writeHostileLog(preds);
  const s = startTmux({ cols: 120, rows: 40, cwd: dir });
  t.after(() => s.kill());

  // The control: this terminal does honour OSC 0 from a program, so a leak would show.
  s.run(`printf '\\033]0;%s\\007' probe`);
  await s.exitCode(15_000);
  assert.equal(s.display('#{pane_title}'), 'probe', 'tmux takes titles from OSC 0 (the test can see a leak)');
  s.type('clear');
  s.sendKeys('Enter');

  s.run(`node ${BIN} --db ${db} --watch ${preds}`);
  await s.waitFor((sc) => HEADER.test(sc.split('\n')[0]) && / preds \d/.test(sc) && !/ 0 preds/.test(sc), 30_000, 'the hostile log ingested');

  const check = async (where: string, expect?: RegExp): Promise<void> => {
    if (expect) await s.waitFor(expect, 15_000, `${where}: ${String(expect)}`);
    await sleep(300);
    assert.equal(s.display('#{pane_title}'), 'probe', `${where}: the pane title was not changed`);
    const lines = s.lines();
    const screen = lines.join('\n');
    assert.ok(HEADER.test(lines[0]), `${where}: the header survived on the first row:\n${screen}`);
    assert.equal(lines.filter((l) => HEADER.test(l)).length, 1, `${where}: one header`);
    assert.doesNotMatch(screen, /owned/, `${where}: the OSC payload is gone with its sequence`);
    assert.doesNotMatch(screen, /\]0;|\[2J|\^\[|\\u001b|\\x1b/, `${where}: no escape text shown raw`);
    assert.deepEqual(s.joinedLines().filter((l) => cells(l) > 120), [], `${where}: no line wider than the pane`);
  };

  await check('Overview', /evilmodel@1~[0-9a-z]{4}/);
  s.sendKeys('2');
  await check('Drift', /hour~[0-9a-z]{4} +numeric/);
  s.sendKeys('Enter');
  await check('Drift chart', /per window/);
  // Esc on its own, and its effect awaited: ESC followed closely by a key is how a terminal
  // sends Alt+key, so Esc and the next key in one read would be one (unbound) Alt key.
  s.sendKeys('Escape');
  await s.waitFor(/feature +kind +method/, 15_000, 'the drift table after Esc');
  s.sendKeys('3');
  await check('Shadow', /\[3 Shadow\]/);
  s.sendKeys('4');
  await check('Models', /\[4 Models\]/);
  s.sendKeys('6', 'x');
  await check('Events quarantine', /x quarantine \([1-9]\d*\)\]/);
  await check('Events quarantine text', /not json +at all/);
  s.sendKeys('a');
  await check('Events alerts', /\[a alerts/);
  // A filter typed by the operator goes through the same path as data.
  s.sendKeys('1', '/');
  s.type('evil');
  await check('Overview filter typed', /^\/evil█/m);
  await check('Overview filtered', /evilmodel@1~[0-9a-z]{4}/);
  s.sendKeys('Escape');
  await s.waitFor(/q quit/, 15_000, 'the filter closed after Esc');

  s.sendKeys('q');
  assert.equal(await s.exitCode(15_000), 0);
  assert.equal(s.display('#{pane_title}'), 'probe', 'still the title set before the console');
  assert.equal(s.display('#{alternate_on}'), '0');
});

// ---------------------------------------------------------------------------------------------

// Names a terminal measures differently from their length: CJK and emoji take two cells,
// zero-width and bidi characters none (and are stripped), and two names that differ only in
// what is stripped.
const F_HOUR = '時間';
const F_DEST = '🚀dest';
const F_DIST = 'dist\u200bance';
const F_ORIGIN = 'ori\u202egin';
const WIDE_MODELS = ['模型-東京', '🚀rocket', 'zw\u200bmodel', 'm', 'm\u202e', 'm\u2066'];

function writeWideCsv(file: string): void {
  const rows = [`${F_HOUR},${F_DEST},${F_DIST},${F_ORIGIN},y`];
  for (let i = 0; i < 1500; i++) {
    const hour = i % 24;
    rows.push(`${hour},${['東京', 'NYC', '🚀'][i % 3]},${100 + (i % 700)},${i % 2 ? 'A\u200b' : 'B'},${hour > 16 || i % 7 === 0 ? 1 : 0}`);
  }
  writeFileSync(file, rows.join('\n') + '\n');
}

function writeWideLog(preds: string): void {
  mkdirSync(preds, { recursive: true });
  const lines: string[] = [];
  const t0 = Date.parse('2001-01-08T00:00:00Z');
  for (let i = 0; i < 900; i++) {
    const ts = new Date(t0 + i * 300_000).toISOString();
    const hour = ((i % 288) / 12 | 0) + (i >= 576 ? 6 : 0);
    for (const [k, model] of WIDE_MODELS.entries()) {
      lines.push(JSON.stringify({
        ts, id: `r-${i}`, model, version: 1,
        features: { [F_HOUR]: hour, [F_DEST]: ['東京', 'NYC', '🚀'][i % 3], [F_DIST]: 100 + i, [F_ORIGIN]: i % 2 ? 'A\u200b' : 'B' },
        prediction: (i + k) % 2, score: ((i + k) % 10) / 10,
      }));
    }
    lines.push(JSON.stringify({ ts: new Date(t0 + i * 300_000 + 3_600_000).toISOString(), id: `r-${i}`, label: hour > 16 ? 1 : 0 }));
  }
  writeFileSync(join(preds, 'wide.jsonl'), lines.join('\n') + '\n');
}

test('names in CJK, emoji, zero-width and bidi characters: every column lines up and no line outgrows the pane', { skip: tmuxMissing() ?? false, timeout: 180_000 }, async (t) => {
  const dir = tempDir('mlops-e2e-wide-');
  const preds = join(dir, 'predictions');
  const db = join(dir, 'mlops.db');
  const csv = join(dir, 'train.csv');
  writeWideCsv(csv);
  await cli(['--db', db, 'train', '--data', csv, '--label', 'y', '--name', WIDE_MODELS[0]], dir);
  writeWideLog(preds);
  for (const [cols, rows] of [[120, 36], [80, 24]] as const) {
    const s = startTmux({ cols, rows, cwd: dir });
    t.after(() => s.kill());
    s.run(`node ${BIN} --db ${db} --watch ${preds}`);
    await s.waitFor((sc) => HEADER.test(sc.split('\n')[0]) && / 5400 preds /.test(sc), 60_000, 'the whole log ingested');

    const checkScreen = async (key: string, header: RegExp, align: Record<string, 'left' | 'right'>, expect: RegExp): Promise<string[]> => {
      s.sendKeys(key);
      await s.waitFor((sc) => expect.test(sc) && sc.split('\n').some((l) => header.test(l)), 10_000, `screen ${key}: ${String(expect)}`);
      await sleep(400);
      const lines = s.lines();
      const where = `screen ${key} at ${cols}×${rows}`;
      assert.deepEqual(s.joinedLines().filter((l) => cells(l) > cols), [], `${where}: no line wider than the pane`);
      assert.ok(!lines.join('\n').includes('\ufffd'), `${where}: no character cut in half`);
      assert.ok(!/[\u200b\u202e\u2066]/.test(lines.join('\n')), `${where}: invisible characters stripped`);
      for (const l of lines.filter((x) => /^─+$/.test(x))) assert.equal(cells(l), cols, `${where}: the rule spans the pane`);
      const table = tableOf(lines, header);
      assert.ok(table.rows.length > 0, `${where}: rows`);
      for (const r of table.rows) {
        assert.ok(cells(r) <= cols, `${where}: row within the pane: ${r}`);
        assert.deepEqual(misaligned(table.header, r, align), [], `${where}:\n${table.header}\n${r}`);
      }
      return table.rows;
    };

    const overview = await checkScreen('1', LAYOUT[0].header, LAYOUT[0].align, /模型-東京@1/);
    // The three names that are "m" once stripped are three rows that read differently.
    const ms = overview.map((r) => toCells(r).join('').slice(2).split(' ')[0]).filter((n) => /^m@1(~[0-9a-z]{4})?$/.test(n));
    assert.equal(ms.length, 3, `three m@1 rows: ${ms.join(' | ')}`);
    assert.equal(new Set(ms).size, 3, `told apart: ${ms.join(' | ')}`);
    assert.ok(overview.some((r) => /🚀rocket@1/.test(r)));
    assert.ok(overview.some((r) => /not in registry/.test(r)), 'models only the logs know are said to be so');
    await checkScreen('2', LAYOUT[1].header, LAYOUT[1].align, /時間/);
    await checkScreen('4', LAYOUT[3].header, LAYOUT[3].align, /模型-東京/);
    s.sendKeys('q');
    assert.equal(await s.exitCode(15_000), 0);
    s.kill();
  }
});

import React from 'react';
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { Table, layoutWidths, windowStart, type Column } from '../../components/widgets/Table.js';
import { sparkline } from '../../components/widgets/sparkline.js';
import { progressBar } from '../../components/widgets/progress.js';
import { chartLines, stretch } from '../../components/widgets/Chart.js';
import { barLine } from '../../components/widgets/Bars.js';
import { count, fit, pct, pval, duration, wrap, interval, textWidth } from '../../components/format.js';
import { colorFromEnv, makeTheme } from '../../components/theme.js';

void React;
afterEach(() => cleanup());

test('sparkline scales between min and max and keeps the last points', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([5, 5, 5], 8), '▁▁▁');
  assert.equal(sparkline([1, 2, 3, 100], 2), '▁█');
  assert.equal(sparkline([], 5), '');
  assert.equal(sparkline([NaN, 1, 2], 5).length, 2);
});

test('progress bar has exactly the asked width', () => {
  assert.equal(progressBar(4, 10, 10), '████░░░░░░');
  assert.equal(progressBar(0, 0, 4), '░░░░');
  assert.equal(progressBar(30, 10, 5), '█████');
});

test('formatting: counts, shares, p-values, durations, intervals, fit', () => {
  assert.equal(count(950), '950');
  assert.equal(count(12_345), '12.3k');
  assert.equal(count(4_560_000), '4.56M');
  assert.equal(count(null), '–');
  assert.equal(pct(0.1234), '12.3%');
  assert.equal(pct(null), '–');
  assert.equal(pval(0.0871), '0.087');
  assert.equal(pval(1e-32), '1e-32');
  assert.equal(pval(0), '<1e-300');
  assert.equal(duration(95), '1m35s');
  assert.equal(duration(7300), '2h01m');
  assert.equal(interval([-0.002, 0.0288]), '[-0.2,+2.9]');
  assert.equal(fit('abcdef', 4), 'abc…');
  assert.equal(fit('ab', 4, 'right'), '  ab');
  assert.match(fit("a\u001b[2Jb", 8), /^ab~[0-9a-z]{4} $/);
  assert.deepEqual(wrap('one two three four', 9), ['one two', 'three', 'four']);
  assert.deepEqual(wrap('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
});

test('fit and wrap measure terminal cells per grapheme: CJK and emoji take two, nothing is cut mid-character', () => {
  assert.equal(fit('東京', 6), '東京  ');
  assert.equal(fit('東京都庁', 6), '東京…' + ' ', 'a wide character that does not fit leaves a space, not half of itself');
  assert.equal(fit('🚀x', 4, 'right'), ' 🚀x');
  assert.equal(fit('ab🚀🚀', 4), 'ab…' + ' ');
  for (const s of ['東京都庁', 'ab🚀🚀cd', 'é́́x', '👍🏽👍🏽👍🏽']) {
    for (let w = 1; w <= 8; w++) {
      const out = fit(s, w);
      assert.equal(textWidth(out), w, `${s} at ${w}: ${out}`);
      assert.ok(!out.includes('\ufffd'), `${s} at ${w}: no replacement character`);
      assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(out), `${s} at ${w}: no half surrogate pair`);
    }
  }
  assert.deepEqual(wrap('東京 大阪 名古屋', 6), ['東京', '大阪', '名古屋']);
});

interface Row { name: string; kind: string; stat: string; msg: string }
const cols4: Column<Row>[] = [
  { title: 'name', kind: 'name', cell: (r) => r.name },
  { title: 'kind', cell: (r) => r.kind },
  { title: 'stat', align: 'right', cell: (r) => r.stat },
  { title: 'message', kind: 'text', width: 8, cell: (r) => r.msg },
];

test('column widths come from the content: statistics whole, names as long as the longest, text fills', () => {
  const rows: Row[] = [
    { name: 'flights-logreg@1', kind: 'categorical', stat: '0.0312', msg: 'a long message that goes on and on and on and on and on' },
    { name: 'hour', kind: 'numeric', stat: '0.6412', msg: 'short' },
  ];
  const w = layoutWidths(cols4, 80, rows);
  assert.deepEqual(w.slice(0, 3), [16, 11, 6], 'name, kind and stat as wide as their widest value');
  assert.equal(2 + w.reduce((a, b) => a + b, 0) + 3, 80, 'the message takes the rest');
  // Narrow: the message gives way first, then names, and statistics last.
  const narrow = layoutWidths(cols4, 40, rows);
  assert.deepEqual(narrow.slice(1, 3), [11, 6], 'statistics stay whole');
  assert.equal(narrow[3], 8, 'the message is down to its least');
  assert.ok(narrow[0] < 16 && narrow[0] >= 8, `the name gave way: ${narrow[0]}`);
  // A very long name is capped; the statistics keep their width.
  const long = layoutWidths(cols4, 80, [{ name: 'x'.repeat(200), kind: 'numeric', stat: '1', msg: 'm'.repeat(200) }]);
  assert.ok(long[0] <= 40, `capped: ${long[0]}`);
  assert.deepEqual(long.slice(1, 3), [7, 4]);
  // With nothing else wanting the room, the name takes it rather than being cut.
  assert.equal(layoutWidths(cols4, 90, [{ name: 'x'.repeat(60), kind: 'numeric', stat: '1', msg: '' }])[0], 60);
  // Wide characters count twice.
  assert.equal(layoutWidths(cols4, 80, [{ name: '東京東京東京', kind: 'n', stat: '1', msg: '' }])[0], 12);
  // Legacy columns (a minimum width and flex) still lay out to the whole line.
  const legacy: Column<string>[] = [{ title: 'a', width: 10, flex: true, cell: (r) => r }, { title: 'b', width: 5, cell: (r) => r }];
  const lw = layoutWidths(legacy, 80);
  assert.equal(2 + lw[0] + 1 + lw[1], 80);
});

test('the table window follows the selection', () => {
  assert.equal(windowStart(0, 100, 10), 0);
  assert.equal(windowStart(50, 100, 10), 45);
  assert.equal(windowStart(99, 100, 10), 90);
  assert.equal(windowStart(5, 8, 10), 0);
});

test('Table renders a fixed height with the selection marked and scrolls', async () => {
  const rows = Array.from({ length: 50 }, (_, i) => `row${i}`);
  const cols: Column<string>[] = [{ title: 'name', width: 8, flex: true, cell: (r) => r }];
  const r = render(<Table columns={cols} rows={rows} selected={30} height={6} width={30} />);
  const lines = (r.lastFrame() ?? '').split('\n');
  assert.equal(lines.length, 6);
  assert.match(lines[0], /name .*29-33\/50/);
  assert.ok(lines.some((l) => l.startsWith('> row30')));
  assert.ok(!lines.some((l) => l.includes('row0 ')));
  for (const l of lines) assert.ok(textWidth(l) <= 30);
});

test('chart lines: at most the width, the threshold as a second series, a message when there is no history', () => {
  const lines = chartLines(Array.from({ length: 200 }, (_, i) => Math.sin(i / 10)), 60, 8, 0.5);
  assert.equal(lines.length, 8);
  for (const l of lines) assert.ok(l.length <= 60, `${l.length}: ${l}`);
  assert.deepEqual(chartLines([], 60, 8), ['no history yet']);
  assert.match(chartLines([0.3], 60, 8)[0], /only one window/);
});

test('bar line shows both shares and bars scaled to the largest share', () => {
  const l = barLine('12-18', 0.35, 0.2, 80, 0.4);
  assert.match(l, /^12-18 +35\.0% █+ +20\.0% █+/);
  assert.ok(l.length <= 80);
});

test('NO_COLOR turns every tone off', () => {
  assert.equal(colorFromEnv({ NO_COLOR: '1' }), false);
  assert.equal(colorFromEnv({ NO_COLOR: '' }), true);
  assert.equal(colorFromEnv({}), true);
  assert.equal(makeTheme(false).tone('bad'), undefined);
  assert.equal(makeTheme(true).tone('bad'), 'red');
});

test('stretch spreads a short series over the width and keeps its end points', () => {
  assert.deepEqual(stretch([0, 1], 5), [0, 0.25, 0.5, 0.75, 1]);
  const long = Array.from({ length: 100 }, (_, i) => i);
  assert.deepEqual(stretch(long, 50), long);
  assert.deepEqual(stretch([3], 50), [3]);
});

test('the performance chart: realised, estimated and band per window, within the box, newest kept', async () => {
  const { perfChartLines } = await import('../../components/widgets/PerfChart.js');
  const day = 86_400_000;
  const windows = Array.from({ length: 40 }, (_, i) => ({
    start: i * day, realised: 0.78 + (i % 5) * 0.01, estimated: 0.8, lower: 0.76, upper: 0.84,
  }));
  const lines = perfChartLines(windows, 60, 6);
  assert.equal(lines.length, 6);
  for (const l of lines) assert.ok(textWidth(l) <= 60, l);
  const body = lines.join('\n');
  assert.match(body, /●/, 'realised points');
  assert.match(body, /○|◍/, 'estimated points');
  assert.match(body, /░/, 'the band');
  assert.match(lines[0], /^ +84\.0% /, 'the top of the axis is the band’s upper edge');
  assert.match(lines[5], /^ +76\.0% /);
  // A point below the band sits on a lower row than the band's lower edge.
  const low = perfChartLines([{ start: 0, realised: 0.5, estimated: 0.8, lower: 0.76, upper: 0.84 }], 30, 6);
  assert.match(low[5], /●/);
  assert.doesNotMatch(low[5], /░/);
  assert.deepEqual(perfChartLines([], 30, 6), ['no complete window yet']);
  // Few windows spread over several columns each; missing values leave gaps, not zeros.
  const few = perfChartLines([{ start: 0, realised: null, estimated: 0.8, lower: null, upper: null }, { start: day, realised: 0.9, estimated: 0.85, lower: null, upper: null }], 30, 4);
  assert.ok(few.every((l) => textWidth(l) <= 30));
  assert.doesNotMatch(few.join('\n'), /(^| )0\.0%/m, 'a missing value is not drawn as zero');
});

test('names share their budget by need: a short name leaves its share to a long one', () => {
  interface Ev { who: string; change: string; details: string }
  const cols: Column<Ev>[] = [
    { title: 'operator', kind: 'name', cell: (r) => r.who },
    { title: 'before → after', kind: 'name', cell: (r) => r.change },
    { title: 'details', kind: 'text', width: 10, cell: (r) => r.details },
  ];
  const w = layoutWidths(cols, 120, [{ who: 'root', change: 'flights-logreg@1 → flights-logreg@2', details: 'gate passed, '.repeat(20) }]);
  assert.deepEqual(w.slice(0, 2), [8, 35], 'the change whole, the operator as wide as its title');
  assert.equal(2 + w.reduce((a, b) => a + b, 0) + 2, 120);
});

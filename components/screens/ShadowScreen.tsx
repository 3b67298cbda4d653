/**
 * 3 Shadow: each candidate against the active model on the same requests, with its detail below;
 * then what can be said before labels come (issue 12): every model ranked by its CBPE estimate in
 * the latest complete window, with bands and whether the ranking is confident, and the state of the
 * choose.auto policy that may act on it. Enter opens the selected pair's estimated vs realised
 * accuracy per window, the Overview's chart with the estimate's sampling band.
 */
import { Box } from 'ink';
import type { ChoosePolicyStatus, ModelChoice, ModelEstimates, PairRow, Snapshot } from '../../src/engine/snapshot.js';
import { complete } from '../../src/compare/autoChoose.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { PerfChart, type PerfWindow } from '../widgets/PerfChart.js';
import { count, dateTime, day, fit, interval, num, pct, pval, signedPct, textWidth } from '../format.js';
import { verdictTone, type Tone } from '../theme.js';
import { defineScreen, type ScreenProps } from './types.js';

const columns: Column<PairRow>[] = [
  { title: 'candidate', kind: 'name', cell: (r) => r.candidate },
  { title: 'vs', kind: 'name', cell: (r) => r.active },
  { title: 'n', align: 'right', cell: (r) => count(r.n) },
  { title: 'agree', align: 'right', cell: (r) => pct(r.agreement) },
  { title: 'Δacc', align: 'right', cell: (r) => signedPct(r.diff) },
  { title: 'p', align: 'right', cell: (r) => pval(r.pValue) },
  { title: 'verdict', cell: (r) => r.verdict },
  { title: 'gate', align: 'right', cell: (r) => (r.gate ? `${r.gate.remaining}/${r.gate.allowed}` : '–') },
];

interface TextLine { text: string; tone?: Tone }

/** "[81.9–84.1]": a band of accuracy in percent. */
const band = (b: readonly [number, number]): string => `[${(b[0] * 100).toFixed(1)}–${(b[1] * 100).toFixed(1)}]`;

/** The latest window every ranked model has finished (the last choice is the window still filling). */
export function latestCompleteChoice(choices: readonly ModelChoice[]): ModelChoice | null {
  return complete(choices).at(-1) ?? null;
}

/** The label-free ranking of the latest complete window, one line per model, best first. */
export function rankingLines(s: Snapshot): TextLine[] {
  const c = latestCompleteChoice(s.choices);
  if (!c) {
    return [{ text: 'ranking without labels: no complete window with two estimates yet (a model needs a reference: 4 Models, r)', tone: 'dim' }];
  }
  const judged = c.byLabels === null ? 'labels pending'
    : c.byLabels === c.best ? 'labels agree' : `labels chose ${c.byLabels}`;
  const lines: TextLine[] = [{
    text: `ranking ${day(c.start)} without labels: ${c.confident ? 'CONFIDENT (bands apart)' : 'not confident'} · ${judged}`,
    tone: c.byLabels !== null && c.byLabels !== c.best ? 'bad' : c.confident ? 'ok' : undefined,
  }];
  const estimatesOf = new Map(s.estimates.map((m) => [m.model, m]));
  const nameW = Math.max(...c.ranking.map((r) => textWidth(r.model)));
  c.ranking.forEach((r, i) => {
    const m = estimatesOf.get(r.model);
    const w = m?.windows.find((x) => x.start === c.start);
    const share = w && w.rows > 0 ? w.labelled / w.rows : 0;
    const realised = !w || w.realised === null ? 'realised –'
      : `realised ${pct(w.realised)}${share < 0.95 ? ` on ${pct(share, 0)}` : ''}`;
    const alias = !m ? '' : m.alias === 'unregistered' ? 'unreg.' : m.alias;
    lines.push({ text: `${i + 1} ${fit(r.model, nameW)} ${fit(alias, 7)} est ${pct(r.estimated)} ${band(r.band)}  ${realised}`, tone: i === 0 ? 'info' : undefined });
  });
  return lines;
}

/** choose.auto in one line: on or off and what it did last first (what a cut line must keep), then its rule. */
export function policyLine(p: ChoosePolicyStatus): TextLine {
  const last = p.last
    ? `last ${p.last.action} ${dateTime(p.last.at)} ${p.last.from} → ${p.last.to}`
    : 'never switched';
  // `in drift`: choose.requireDrift, a data-drift page must be open (src/compare/autoChoose.ts).
  const rule = `rule: ahead ${(p.margin * 100).toFixed(1)} pts, confident, ${p.windows} window${p.windows === 1 ? '' : 's'}${p.requireDrift ? ' in drift' : ''}; labels can roll back`;
  return p.auto
    ? { text: `choose.auto ON · ${last} · ${rule}`, tone: 'warn' }
    : { text: `choose.auto off (never switches) · ${last} · ${rule}`, tone: 'dim' };
}

/** Chart points of one model: its estimate with its own sampling band (±3 SE) beside what the labels showed. */
export function estimateWindows(m: ModelEstimates): PerfWindow[] {
  return m.windows.map((w) => ({
    start: w.start, realised: w.realised, estimated: w.estimated,
    lower: w.band?.[0] ?? null, upper: w.band?.[1] ?? null,
  }));
}

const CHART_MIN = 5;        // title + 4 rows
const SAMPLING_BAND = 'estimate ±3 SE';

function chartTitle(m: ModelEstimates): string {
  const r = m.reference;
  const ref = r === null ? 'no reference, no estimate'
    : `${r.source === 'pinned' ? 'pinned reference' : 'held-out reference'} ${count(r.rows)} rows`;
  return `${m.model} ${m.alias === 'unregistered' ? 'not in registry' : m.alias} · ${ref}`;
}

function pairDetail(p: PairRow): TextLine[] {
  return [
    { text: `${p.candidate} vs ${p.active}: ${count(p.n)} paired requests, agreement ${pct(p.agreement)}, mean |Δscore| ${num(p.meanAbsDiff)}` },
    { text: `labelled ${count(p.labelled)}: realised acc ${pct(p.accActive)} → ${pct(p.accCandidate)}  Δ ${signedPct(p.diff)} pts  95% ${interval(p.ci)}  McNemar p ${pval(p.pValue)}` },
    { text: `estimated (CBPE) acc ${pct(p.estAccActive)} → ${pct(p.estAccCandidate)}  vs realised ${pct(p.accActive)} → ${pct(p.accCandidate)}` },
    {
      text: p.gate
        ? `gate budget ${p.gate.remaining}/${p.gate.allowed} evaluations left · ${count(p.gate.haveRows)} held-out rows (${count(p.gate.needRows)} needed)` +
          (p.gate.remaining <= 0 ? ' · spent: wait for fresh labels' : '')
        : 'gate: no held-out rows yet',
    },
    { text: `verdict: ${p.verdict}`, tone: verdictTone(p.verdict) },
  ];
}

function ShadowTable({ snapshot, rows, selected, width, height }: ScreenProps<PairRow>) {
  const p = rows[selected];
  const detail = p ? pairDetail(p) : [];
  const choice = [...rankingLines(snapshot), ...(snapshot.choosePolicy ? [policyLine(snapshot.choosePolicy)] : [])];
  const rule = <Line text={'─'.repeat(width)} width={width} tone="dim" />;
  // The table keeps its header and two rows, the label-free choice its lines; the pair's detail
  // takes what is left (its last lines repeat the table's verdict and gate: cut first at 80×24),
  // and the candidate's chart only where a tall terminal leaves room (Enter shows it anyway).
  const tableH = Math.max(3, Math.min(rows.length + 1, height - choice.length - 4));
  const detailRoom = Math.max(0, height - tableH - choice.length - 1 - (p ? 1 : 0));
  const shown = detail.slice(0, detailRoom);
  const left = detailRoom - shown.length;
  const est = p ? snapshot.estimates.find((m) => m.model === p.candidate && m.windows.length > 0) : undefined;
  const chartH = est && left >= CHART_MIN ? Math.min(10, left) : 0;
  return (
    <Box flexDirection="column" height={height}>
      <Table columns={columns} rows={rows} selected={selected} height={tableH} width={width}
        tone={(r) => verdictTone(r.verdict)} empty="no shadow models scoring yet" />
      {p ? rule : null}
      {shown.map((l, i) => <Line key={`d${i}`} text={l.text} width={width} tone={l.tone} />)}
      {rule}
      {choice.map((l, i) => <Line key={`c${i}`} text={l.text} width={width} tone={l.tone} />)}
      {est && chartH > 0 ? (
        <PerfChart title={`${chartTitle(est)} · ⏎ both models`} windows={estimateWindows(est)} width={width} height={chartH} bandLabel={SAMPLING_BAND} />
      ) : null}
    </Box>
  );
}

/** Enter: the candidate's and the active model's estimate per window with its band, beside the realised accuracy. */
function ShadowCharts({ snapshot, rows, selected, width, height }: ScreenProps<PairRow>) {
  const p = rows[selected];
  if (!p) return <Line text="no pair selected (esc to go back)" width={width} tone="dim" />;
  const models = [p.candidate, p.active].map((ref) => ({ ref, m: snapshot.estimates.find((e) => e.model === ref) }));
  const each = Math.max(CHART_MIN, Math.floor((height - 1) / 2));
  return (
    <Box flexDirection="column" height={height}>
      <Line text={`${p.candidate} vs ${p.active}: accuracy per window, estimated without labels (CBPE) beside realised · esc back`} width={width} bold />
      {models.map(({ ref, m }) => (m && m.windows.length > 0 ? (
        <PerfChart key={ref} title={chartTitle(m)} windows={estimateWindows(m)} width={width} height={each} bandLabel={SAMPLING_BAND} />
      ) : (
        <Line key={ref} text={`${ref}: no estimate per window (${m?.reference ? 'no window yet' : 'no reference: pin one on 4 Models with r'})`} width={width} tone="dim" />
      )))}
    </Box>
  );
}

function ShadowView(props: ScreenProps<PairRow>) {
  return props.sub === 'detail' ? <ShadowCharts {...props} /> : <ShadowTable {...props} />;
}

export const shadowScreen = defineScreen<PairRow>({
  id: 'shadow',
  title: 'Shadow',
  rows: (s) => s.pairs,
  text: (r) => `${r.active} ${r.candidate} ${r.verdict}`,
  keys: [
    { keys: ['p'], label: 'promote', dangerous: true, confirms: true, run: (c) => c.selected && c.actions.promote((c.selected as PairRow).candidate) },
    { keys: ['enter'], label: 'estimates chart', when: (sub) => sub !== 'detail', run: (c) => c.selected && c.setSub('detail') },
    { keys: ['esc'], label: 'back', when: (sub) => sub === 'detail', run: (c) => c.setSub('table') },
  ],
  View: ShadowView,
});

/** 3 Shadow: each candidate against the active model on the same requests, with its detail below. */
import { Box } from 'ink';
import type { PairRow } from '../../src/engine/snapshot.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { count, interval, num, pct, pval, signedPct } from '../format.js';
import { verdictTone } from '../theme.js';
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

function ShadowView({ rows, selected, width, height }: ScreenProps<PairRow>) {
  const p = rows[selected];
  const detail = p
    ? [
        `${p.candidate} vs ${p.active}: ${count(p.n)} paired requests, agreement ${pct(p.agreement)}, mean |Δscore| ${num(p.meanAbsDiff)}`,
        `labelled ${count(p.labelled)}: realised acc ${pct(p.accActive)} → ${pct(p.accCandidate)}  Δ ${signedPct(p.diff)} pts  95% ${interval(p.ci)}  McNemar p ${pval(p.pValue)}`,
        `estimated (CBPE) acc ${pct(p.estAccActive)} → ${pct(p.estAccCandidate)}  vs realised ${pct(p.accActive)} → ${pct(p.accCandidate)}`,
        p.gate
          ? `gate budget ${p.gate.remaining}/${p.gate.allowed} evaluations left · ${count(p.gate.haveRows)} held-out rows (${count(p.gate.needRows)} needed)` +
            (p.gate.remaining <= 0 ? ' · spent: wait for fresh labels' : '')
          : 'gate: no held-out rows yet',
        `verdict: ${p.verdict}`,
      ]
    : [];
  const tableH = Math.max(2, height - detail.length - 1);
  return (
    <Box flexDirection="column" height={height}>
      <Table columns={columns} rows={rows} selected={selected} height={tableH} width={width}
        tone={(r) => verdictTone(r.verdict)} empty="no shadow models scoring yet" />
      {p ? <Line text={'─'.repeat(width)} width={width} tone="dim" /> : null}
      {detail.map((t, i) => (
        <Line key={i} text={t} width={width} tone={i === detail.length - 1 ? verdictTone(p!.verdict) : undefined} />
      ))}
    </Box>
  );
}

export const shadowScreen = defineScreen<PairRow>({
  id: 'shadow',
  title: 'Shadow',
  rows: (s) => s.pairs,
  text: (r) => `${r.active} ${r.candidate} ${r.verdict}`,
  keys: [
    { keys: ['p'], label: 'promote', dangerous: true, confirms: true, run: (c) => c.selected && c.actions.promote((c.selected as PairRow).candidate) },
  ],
  View: ShadowView,
});

/**
 * 7 Quality: per feature its rule, the share of rows flagged per window (sparkline), what the
 * violations cost the active model and what cleaning the feature would buy, ranked by that
 * gain. Enter opens one feature: the flagged share per window as a chart and the figures with
 * their intervals; `e` writes the rows to fix first to a file beside the database (`quality export` prints them).
 */
import { Box } from 'ink';
import type { QualityFeatureRow } from '../../src/engine/snapshot.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { Chart } from '../widgets/Chart.js';
import { sparkline } from '../widgets/sparkline.js';
import { count, interval, num, pct, signedPct, time } from '../format.js';
import { defineScreen, type ScreenProps } from './types.js';

const columns: Column<QualityFeatureRow>[] = [
  { title: 'feature', kind: 'name', cell: (r) => r.feature },
  { title: 'rule', kind: 'text', width: 12, cell: (r) => r.rule },
  { title: 'flagged', align: 'right', cell: (r) => count(r.violating) },
  { title: 'share', align: 'right', cell: (r) => pct(r.rows ? r.violating / r.rows : null) },
  { title: 'windows', width: 10, cell: (r, w) => sparkline(r.history, Math.min(10, w ?? 10)) },
  { title: 'imp', align: 'right', cell: (r) => num(r.importance, 4) },
  { title: 'cost', align: 'right', cell: (r) => signedPct(r.cost) },
  { title: 'gain', align: 'right', cell: (r) => signedPct(r.gain) },
];

const exportCommand = (r: QualityFeatureRow): string => `mlops-tui quality export --feature ${r.feature} --top 100`;

function QualityTable({ snapshot, rows, selected, width, height }: ScreenProps<QualityFeatureRow>) {
  const q = snapshot.quality;
  const head = q
    ? `${q.model} · rules from ${q.rules} · last ${q.windows} windows · ${q.analysedAt ? `cost and gain (accuracy points) as of ${time(q.analysedAt)}` : 'cost and gain: computing…'}`
    : 'no quality rules yet';
  return (
    <Box flexDirection="column" height={height}>
      <Line text={head} width={width} tone={q ? 'info' : 'dim'} />
      <Table columns={columns} rows={rows} selected={selected} height={height - 1} width={width}
        tone={(r) => (r.violating > 0 ? (r.gain !== null && r.gain > 0.005 ? 'bad' : 'warn') : undefined)} empty={q ? 'no features under rules' : 'register an active model, or run `mlops-tui quality rules --from MODEL@V`'} />
    </Box>
  );
}

function QualityDetail({ rows, selected, width, height }: ScreenProps<QualityFeatureRow>) {
  const f = rows[selected];
  if (!f) return <Line text="no feature selected (esc to go back)" width={width} tone="dim" />;
  const basis = f.basis === 'cbpe' ? ' (CBPE estimate, no labels yet)' : f.basis === 'labels' ? ' (realised, on labelled rows)' : '';
  return (
    <Box flexDirection="column" height={height}>
      <Line text={`${f.feature} · ${count(f.violating)} of ${count(f.rows)} rows flagged · ${f.breaches} windows broke a share rule`} width={width} bold />
      <Line text={`rule: ${f.rule}`} width={width} />
      <Line text={`cost: ${signedPct(f.cost)} accuracy points, 95% ${interval(f.costCi)}${basis}`} width={width} />
      <Line text={`cleaning would buy: ${signedPct(f.gain)} points, 95% ${interval(f.gainCi)} (re-scored with reference values) · importance ${num(f.importance, 4)}`} width={width} tone={f.gain !== null && f.gain > 0 ? 'ok' : undefined} />
      <Line text={`rows to fix first: ${exportCommand(f)}`} width={width} tone="dim" />
      <Chart series={f.history} width={width} height={Math.max(3, height - 5)} title="share of rows flagged per window" />
    </Box>
  );
}

function QualityView(props: ScreenProps<QualityFeatureRow>) {
  return props.sub === 'detail' ? <QualityDetail {...props} /> : <QualityTable {...props} />;
}

export const qualityScreen = defineScreen<QualityFeatureRow>({
  id: 'quality',
  title: 'Quality',
  rows: (s) => s.quality?.features ?? [],
  text: (r) => `${r.feature} ${r.rule}`,
  keys: [
    { keys: ['enter'], label: 'detail', when: (sub) => sub !== 'detail', run: (c) => c.selected && c.setSub('detail') },
    { keys: ['esc'], label: 'back', when: (sub) => sub === 'detail', run: (c) => c.setSub('table') },
    {
      keys: ['e'], label: 'export rows',
      run: (c) => {
        const r = c.selected as QualityFeatureRow | undefined;
        if (r) c.actions.exportQualityRows(r.feature);
      },
    },
  ],
  View: QualityView,
});

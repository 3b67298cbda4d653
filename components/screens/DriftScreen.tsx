/** 2 Drift: per-feature table with sparklines; Enter opens the chart and histograms of one feature. */
import { Box } from 'ink';
import type { FeatureDriftRow } from '../../src/engine/snapshot.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { Chart } from '../widgets/Chart.js';
import { Bars } from '../widgets/Bars.js';
import { sparkline } from '../widgets/sparkline.js';
import { count, num, pct, pval } from '../format.js';
import { levelTone } from '../theme.js';
import { defineScreen, type ScreenProps } from './types.js';

const columns: Column<FeatureDriftRow>[] = [
  { title: 'feature', kind: 'name', cell: (r) => r.name },
  { title: 'kind', cell: (r) => r.kind },
  { title: 'method', cell: (r) => r.method },
  { title: 'stat', align: 'right', cell: (r) => num(r.statistic, 4) },
  { title: 'p', align: 'right', cell: (r) => pval(r.pValue) },
  { title: 'thresh', align: 'right', cell: (r) => num(r.threshold, 3) },
  { title: 'level', cell: (r) => r.level },
  // The sparkline fills what the figures leave, up to the last 30 windows.
  { title: 'history', kind: 'text', width: 8, cell: (r, w) => sparkline(r.history, Math.min(30, w ?? 30)) },
];

function DriftTable({ snapshot, rows, selected, width, height }: ScreenProps<FeatureDriftRow>) {
  const d = snapshot.drift;
  return (
    <Box flexDirection="column" height={height}>
      <Line
        text={`window ${d.window} · ${count(d.rows)} rows · ${d.datasetDrifted ? 'DATASET DRIFTED' : 'no dataset drift'}: ${pct(d.share, 0)} of columns drift (threshold ${pct(d.shareThreshold, 0)})`}
        width={width} tone={d.datasetDrifted ? 'bad' : 'ok'} />
      <Table columns={columns} rows={rows} selected={selected} height={height - 1} width={width}
        tone={(r) => levelTone(r.level)} empty="no features profiled yet" />
    </Box>
  );
}

function DriftDetail({ rows, selected, width, height }: ScreenProps<FeatureDriftRow>) {
  const f = rows[selected];
  if (!f) return <Line text="no feature selected (esc to go back)" width={width} tone="dim" />;
  // The histogram takes what its bins need (up to half), the chart the rest.
  const barsH = Math.max(0, Math.min(f.histogram.labels.length + 1, Math.floor((height - 2) / 2)));
  const chartH = Math.max(3, height - 2 - barsH);
  return (
    <Box flexDirection="column" height={height}>
      <Line
        text={`${f.name} · ${f.kind} · ${f.method} ${num(f.statistic, 4)} (threshold ${num(f.threshold, 3)}) · p ${pval(f.pValue)} · ${f.level.toUpperCase()} · missing ${pct(f.missingRate)}`}
        width={width} tone={levelTone(f.level)} bold />
      <Line text={f.note ?? ' '} width={width} tone="dim" />
      <Chart series={f.history} threshold={f.threshold} width={width} height={chartH}
        title={`${f.method} per window (last ${Math.min(f.history.length, width - 11)} of ${f.history.length}); flat line = threshold`} />
      <Bars labels={f.histogram.labels} reference={f.histogram.reference} current={f.histogram.current} width={width} height={barsH} />
    </Box>
  );
}

function DriftView(props: ScreenProps<FeatureDriftRow>) {
  return props.sub === 'detail' ? <DriftDetail {...props} /> : <DriftTable {...props} />;
}

export const driftScreen = defineScreen<FeatureDriftRow>({
  id: 'drift',
  title: 'Drift',
  rows: (s) => s.drift.features,
  text: (r) => `${r.name} ${r.kind} ${r.method} ${r.level}`,
  keys: [
    { keys: ['enter'], label: 'chart', when: (sub) => sub !== 'detail', run: (c) => c.selected && c.setSub('detail') },
    { keys: ['esc'], label: 'back', when: (sub) => sub === 'detail', run: (c) => c.setSub('table') },
  ],
  View: DriftView,
});

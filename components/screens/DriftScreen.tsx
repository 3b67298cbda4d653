/**
 * 2 Drift: per-feature table with sparklines; Enter opens the chart and histograms of one feature.
 * `h`: every serving host, and which replica's inputs differ from the others (the `hosts`
 * command's figures); Enter on a host filters every screen on it.
 */
import { Box } from 'ink';
import type { FeatureDriftRow, Snapshot } from '../../src/engine/snapshot.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { Chart } from '../widgets/Chart.js';
import { Bars } from '../widgets/Bars.js';
import { sparkline } from '../widgets/sparkline.js';
import { count, minute, num, pct, pval } from '../format.js';
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

/** One serving host on the hosts view: its counts and whether its inputs differ from the others'. */
export interface HostScreenRow {
  host: string;
  predictions: number;
  labels: number;
  quarantined: number;
  updatedAt: number | null;
  /** 'DIFFERS' when a feature drifts against most other hosts; null when it could not be compared. */
  inputs: 'DIFFERS' | 'like the others' | null;
  /** The features that drift or warn, with the model, method and statistic. */
  features: string;
  selected: boolean;
}

export function hostRows(s: Snapshot): HostScreenRow[] {
  const h = s.hosts;
  if (!h) return [];
  return h.list.map((c) => {
    const d = h.drift.filter((x) => x.host === c.host);
    const bad = d.flatMap((x) => x.features.filter((f) => f.level !== 'ok').map((f) => `${h.drift.some((y) => y.model !== x.model) ? `${x.model}: ` : ''}${f.feature} ${f.level} (${f.method} ${num(f.statistic, 3)})`));
    return {
      host: c.host, predictions: c.predictions, labels: c.labels, quarantined: c.quarantined, updatedAt: c.updatedAt,
      inputs: d.length === 0 ? null : d.some((x) => x.drifted) ? 'DIFFERS' : 'like the others',
      features: bad.join(', '), selected: h.selected === c.host,
    };
  });
}

const hostColumns: Column<HostScreenRow>[] = [
  { title: 'host', kind: 'name', cell: (r) => `${r.selected ? '▸ ' : ''}${r.host}` },
  { title: 'preds', align: 'right', cell: (r) => count(r.predictions) },
  { title: 'labels', align: 'right', cell: (r) => count(r.labels) },
  { title: 'quar.', align: 'right', cell: (r) => count(r.quarantined) },
  { title: 'last line', cell: (r) => (r.updatedAt === null ? '–' : minute(r.updatedAt)) },
  { title: 'inputs', cell: (r) => r.inputs ?? '–' },
  { title: 'drifting features', kind: 'text', width: 10, cell: (r) => r.features },
];

function HostsTable({ snapshot, rows, selected, width, height }: ScreenProps<HostScreenRow>) {
  const h = snapshot.hosts;
  const differs = rows.filter((r) => r.inputs === 'DIFFERS').map((r) => r.host);
  // Two hosts that differ differ from each other: which one is wrong, inputs alone cannot say (hostDrift.ts).
  const pair = differs.length === 2 && new Set(h?.drift.map((d) => d.host)).size === 2;
  const verdict = pair ? `${differs.join(' and ')} differ from each other (two hosts: inputs cannot tell which is wrong)`
    : differs.length ? `${differs.join(', ')} DIFFERS` : 'no replica differs';
  const head = !h || h.list.length < 2 ? 'one source of lines: nothing to compare hosts with'
    : h.driftAt === null ? 'comparing each host\'s inputs with the other hosts\'…'
      : `each host's last ${count(h.driftRows)} predictions against each other host's (at ${minute(h.driftAt)}): ${verdict}`;
  return (
    <Box flexDirection="column" height={height}>
      <Line text={head} width={width} tone={differs.length ? 'bad' : 'ok'} />
      <Table columns={hostColumns} rows={rows} selected={selected} height={height - 1} width={width}
        tone={(r) => (r.inputs === 'DIFFERS' ? 'bad' : r.selected ? 'accent' : undefined)} empty="no lines stored yet" />
    </Box>
  );
}

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

type Row = FeatureDriftRow | HostScreenRow;

function DriftView(props: ScreenProps<Row>) {
  if (props.sub === 'hosts') return <HostsTable {...(props as ScreenProps<HostScreenRow>)} />;
  const p = props as ScreenProps<FeatureDriftRow>;
  return props.sub === 'detail' ? <DriftDetail {...p} /> : <DriftTable {...p} />;
}

export const driftScreen = defineScreen<Row>({
  id: 'drift',
  title: 'Drift',
  rows: (s, sub) => (sub === 'hosts' ? hostRows(s) : s.drift.features),
  text: (r) => ('host' in r ? `${r.host} ${r.inputs ?? ''} ${r.features}` : `${r.name} ${r.kind} ${r.method} ${r.level}`),
  keys: [
    { keys: ['enter'], label: 'chart', when: (sub) => sub === 'table', run: (c) => c.selected && c.setSub('detail') },
    { keys: ['h'], label: 'hosts', when: (sub) => sub === 'table', run: (c) => c.setSub('hosts') },
    {
      keys: ['enter'], label: 'filter on host', when: (sub) => sub === 'hosts', run: (c) => {
        const r = c.selected as HostScreenRow | undefined;
        if (r) c.actions.setHost(r.selected ? null : r.host);
      },
    },
    { keys: ['esc'], label: 'back', when: (sub) => sub === 'detail' || sub === 'hosts', run: (c) => c.setSub('table') },
  ],
  View: DriftView,
});

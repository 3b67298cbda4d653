/**
 * 1 Overview: traffic and live metrics per model version; per model, its accuracy per window,
 * realised beside estimated, over the reference band (the line over time, as k9s' pulses and
 * btop show trends, not one number); then the open page alerts.
 */
import { Box } from 'ink';
import type { AlertRow, TrafficAlias, TrafficRow } from '../../src/engine/snapshot.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { PerfChart, type PerfWindow } from '../widgets/PerfChart.js';
import { isPageAlert } from '../../src/engine/pageAlerts.js';
import { count, minute, num, pct } from '../format.js';
import { aliasTone, levelTone } from '../theme.js';
import { defineScreen, type ScreenProps } from './types.js';

/** A model the registry does not know is said so, not passed off as retired. */
const aliasLabel = (a: TrafficAlias): string => (a === 'unregistered' ? 'not in registry' : a);

const trafficColumns: Column<TrafficRow>[] = [
  { title: 'model', kind: 'name', cell: (r) => r.model },
  { title: 'alias', cell: (r) => aliasLabel(r.alias) },
  { title: 'preds', align: 'right', cell: (r) => count(r.predictions) },
  { title: 'labels', align: 'right', cell: (r) => count(r.labelled) },
  { title: 'cover', align: 'right', cell: (r) => pct(r.coverage, 0) },
  { title: 'acc', align: 'right', cell: (r) => pct(r.accuracy) },
  { title: 'logloss', align: 'right', cell: (r) => num(r.logLoss) },
  { title: 'auc', align: 'right', cell: (r) => num(r.auc) },
  { title: 'est.acc', align: 'right', cell: (r) => pct(r.estAccuracy) },
];

const alertColumns: Column<AlertRow>[] = [
  { title: 'time', cell: (r) => minute(r.at) },
  { title: 'kind', cell: (r) => r.kind + (r.detector ? `/${r.detector}` : '') },
  { title: 'subject', kind: 'name', cell: (r) => r.subject },
  { title: 'message', kind: 'text', width: 10, cell: (r) => r.message },
];

/**
 * The per-window figures of one model as the engine gives them (Snapshot.estimates, issue 12):
 * what the chart needs of them.
 */
interface ModelWindows {
  model: string;
  threshold: { lower: number; upper: number } | null;
  windows: ReadonlyArray<{ start: number; estimated: number | null; realised: number | null }>;
}

/** Chart points: the reference band is the same for every window of a model. */
export function perfWindows(m: ModelWindows): PerfWindow[] {
  return m.windows.map((w) => ({
    start: w.start, realised: w.realised, estimated: w.estimated,
    lower: m.threshold?.lower ?? null, upper: m.threshold?.upper ?? null,
  }));
}

const CHART_MIN = 5;       // title + 4 rows
const CHART_MAX = 8;

function OverviewView({ snapshot, rows, selected, width, height }: ScreenProps<TrafficRow>) {
  const pages = snapshot.alerts.filter(isPageAlert);
  const estimates: readonly ModelWindows[] = snapshot.estimates.filter((m) => m.windows.length > 0);
  const trafficH = Math.max(2, Math.min(rows.length + 1, Math.ceil((height - 2) / 3)));
  // Page alerts keep at least their header and two rows; charts take what is left.
  const alertsMin = Math.min(Math.max(2, pages.length + 1), 4);
  const chartRoom = Math.max(0, height - trafficH - 2 - alertsMin);
  const chartH = estimates.length ? Math.min(CHART_MAX, Math.max(CHART_MIN, Math.floor(chartRoom / estimates.length))) : 0;
  const charts = chartH > 0 && chartRoom >= CHART_MIN ? estimates.slice(0, Math.floor(chartRoom / chartH)) : [];
  const alertsH = Math.max(0, height - trafficH - 2 - charts.length * chartH);
  const active = snapshot.models.filter((m) => m.alias === 'active').map((m) => `${m.name}@${m.version}`).join(', ') || 'none';
  const d = snapshot.drift;
  const aliasOf = new Map(snapshot.traffic.map((t) => [t.model, aliasLabel(t.alias)]));
  return (
    <Box flexDirection="column" height={height}>
      <Table columns={trafficColumns} rows={rows} selected={selected} height={trafficH} width={width}
        tone={(r) => aliasTone(r.alias)} empty="no predictions yet" />
      <Line
        text={`active ${active} · drift ${d.datasetDrifted ? 'DATASET DRIFTED' : 'no dataset drift'} (${pct(d.share, 0)} of columns, window ${d.window}) · open page alerts ${pages.length}`}
        width={width} tone={d.datasetDrifted ? 'bad' : pages.length ? 'warn' : 'ok'} />
      {charts.map((m) => (
        <PerfChart key={m.model} title={`${m.model} ${aliasOf.get(m.model) ?? ''} · accuracy per window`.replace('  ', ' ')}
          windows={perfWindows(m)} width={width} height={chartH} />
      ))}
      <Line text={`open page alerts (${pages.length})${snapshot.alerts.length > pages.length ? ` · ${snapshot.alerts.length - pages.length} info on 6 Events` : ''}`} width={width} bold />
      <Table columns={alertColumns} rows={pages} selected={null} height={alertsH - 1} width={width}
        tone={(r) => levelTone(r.level)} empty="no open page alerts" />
    </Box>
  );
}

export const overviewScreen = defineScreen<TrafficRow>({
  id: 'overview',
  title: 'Overview',
  rows: (s) => s.traffic,
  text: (r) => `${r.model} ${r.alias}`,
  keys: [],
  View: OverviewView,
});

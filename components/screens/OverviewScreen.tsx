/** 1 Overview: traffic and live metrics per model version, then the open alerts. */
import { Box } from 'ink';
import type { AlertRow, TrafficRow } from '../../src/engine/snapshot.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { count, num, pct, time } from '../format.js';
import { aliasTone, levelTone } from '../theme.js';
import { defineScreen, type ScreenProps } from './types.js';

const trafficColumns: Column<TrafficRow>[] = [
  { title: 'model', width: 14, flex: true, cell: (r) => r.model },
  { title: 'alias', width: 6, cell: (r) => r.alias },
  { title: 'preds', width: 7, align: 'right', cell: (r) => count(r.predictions) },
  { title: 'labels', width: 7, align: 'right', cell: (r) => count(r.labelled) },
  { title: 'cover', width: 6, align: 'right', cell: (r) => pct(r.coverage, 0) },
  { title: 'acc', width: 6, align: 'right', cell: (r) => pct(r.accuracy) },
  { title: 'logloss', width: 7, align: 'right', cell: (r) => num(r.logLoss) },
  { title: 'auc', width: 5, align: 'right', cell: (r) => num(r.auc) },
  { title: 'est.acc', width: 7, align: 'right', cell: (r) => pct(r.estAccuracy) },
];

const alertColumns: Column<AlertRow>[] = [
  { title: 'time', width: 14, cell: (r) => time(r.at) },
  { title: 'kind', width: 13, cell: (r) => r.kind + (r.detector ? `/${r.detector}` : '') },
  { title: 'subject', width: 12, cell: (r) => r.subject },
  { title: 'message', width: 10, flex: true, cell: (r) => r.message },
];

function OverviewView({ snapshot, rows, selected, width, height }: ScreenProps<TrafficRow>) {
  const trafficH = Math.max(2, Math.min(rows.length + 1, Math.ceil((height - 2) / 2)));
  const alertsH = Math.max(0, height - trafficH - 2);
  const active = snapshot.models.filter((m) => m.alias === 'active').map((m) => `${m.name}@${m.version}`).join(', ') || 'none';
  const d = snapshot.drift;
  return (
    <Box flexDirection="column" height={height}>
      <Table columns={trafficColumns} rows={rows} selected={selected} height={trafficH} width={width}
        tone={(r) => aliasTone(r.alias)} empty="no predictions yet" />
      <Line
        text={`active ${active} · drift ${d.datasetDrifted ? 'DATASET DRIFTED' : 'no dataset drift'} (${pct(d.share, 0)} of columns, window ${d.window}) · open alerts ${snapshot.alerts.length}`}
        width={width} tone={d.datasetDrifted ? 'bad' : snapshot.alerts.length ? 'warn' : 'ok'} />
      <Line text="open alerts" width={width} bold />
      <Table columns={alertColumns} rows={snapshot.alerts} selected={null} height={alertsH} width={width}
        tone={(r) => levelTone(r.level)} empty="no open alerts" />
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

/** 1 Overview: traffic and live metrics per model version, then the open alerts. */
import { Box } from 'ink';
import type { AlertRow, TrafficAlias, TrafficRow } from '../../src/engine/snapshot.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
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

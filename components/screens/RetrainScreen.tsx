/** 5 Retrain: jobs with progress; start one, stop one behind a confirmation. */
import { Box } from 'ink';
import type { JobRow } from '../../src/engine/snapshot.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { progressBar } from '../widgets/progress.js';
import { duration, num, time } from '../format.js';
import { jobTone } from '../theme.js';
import { defineScreen, type ScreenProps } from './types.js';

const columns: Column<JobRow>[] = [
  { title: 'job', width: 8, cell: (r) => r.id },
  { title: 'model', width: 12, flex: true, cell: (r) => r.model },
  { title: 'type', width: 6, cell: (r) => r.type },
  { title: 'status', width: 11, cell: (r) => r.status },
  { title: 'progress', width: 10, cell: (r) => progressBar(r.epoch, r.epochs, 10) },
  { title: 'epoch', width: 5, align: 'right', cell: (r) => `${r.epoch}/${r.epochs}` },
  { title: 'loss', width: 6, align: 'right', cell: (r) => num(r.loss, 4) },
  { title: 'eta', width: 6, align: 'right', cell: (r) => (r.status === 'running' || r.status === 'queued' ? duration(r.etaSeconds) : '') },
];

function RetrainView({ rows, selected, width, height }: ScreenProps<JobRow>) {
  const j = rows[selected];
  const barW = Math.max(10, width - 40);
  const detail = j
    ? [
        `${j.id} ${j.model} (${j.type}) ${j.status} · created ${time(j.createdAt)}`,
        `[${progressBar(j.epoch, j.epochs, barW)}] epoch ${j.epoch}/${j.epochs} loss ${num(j.loss, 4)} ${j.valMetricName} ${num(j.valMetric)} eta ${duration(j.etaSeconds)}`,
        j.error ? `error: ${j.error}` : j.result ? `registered ${j.result} as a shadow` : ' ',
      ]
    : [];
  const tableH = Math.max(2, height - detail.length - (j ? 1 : 0));
  return (
    <Box flexDirection="column" height={height}>
      <Table columns={columns} rows={rows} selected={selected} height={tableH} width={width}
        tone={(r) => jobTone(r.status)} empty="no retrain jobs; r starts one" />
      {j ? <Line text={'─'.repeat(width)} width={width} tone="dim" /> : null}
      {detail.map((t, i) => (
        <Line key={i} text={t} width={width} tone={i === 2 && j?.error ? 'bad' : i === 1 ? jobTone(j!.status) : undefined} />
      ))}
    </Box>
  );
}

export const retrainScreen = defineScreen<JobRow>({
  id: 'retrain',
  title: 'Retrain',
  rows: (s) => s.jobs,
  text: (r) => `${r.id} ${r.model} ${r.type} ${r.status}`,
  keys: [
    { keys: ['r'], label: 'retrain', dangerous: true, run: (c) => c.actions.retrain() },
    {
      keys: ['c'], label: 'cancel job', dangerous: true, confirms: true,
      run: (c) => {
        const j = c.selected as JobRow | undefined;
        if (!j) return;
        if (j.status !== 'running' && j.status !== 'queued') return c.actions.flash(`Job ${j.id} is ${j.status}; nothing to cancel.`, 'info');
        c.actions.cancelJob(j.id);
      },
    },
  ],
  View: RetrainView,
});

/** 5 Retrain: jobs with progress; start one, stop one behind a confirmation. */
import { Box } from 'ink';
import type { JobRow } from '../../src/engine/snapshot.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { progressBar } from '../widgets/progress.js';
import { duration, num, pct, time } from '../format.js';
import { jobTone } from '../theme.js';
import { defineScreen, type ScreenProps } from './types.js';

/** Share of the job done: a finished job is 100% whether or not early stopping ended it before its last epoch. */
export const jobDone = (j: JobRow): number => (j.status === 'done' ? 1 : j.epochs > 0 ? Math.min(1, j.epoch / j.epochs) : 0);

const columns: Column<JobRow>[] = [
  { title: 'job', cell: (r) => r.id },
  { title: 'model', kind: 'name', cell: (r) => r.model },
  { title: 'type', cell: (r) => r.type },
  { title: 'status', cell: (r) => r.status },
  { title: 'progress', kind: 'text', width: 10, cell: (r, w) => progressBar(jobDone(r), 1, Math.min(20, w ?? 10)) },
  { title: '%', align: 'right', cell: (r) => pct(jobDone(r), 0) },
  { title: 'epoch', align: 'right', cell: (r) => `${r.epoch}/${r.epochs}` },
  { title: 'loss', align: 'right', cell: (r) => num(r.loss, 4) },
  { title: 'eta', align: 'right', cell: (r) => (r.status === 'running' || r.status === 'queued' ? duration(r.etaSeconds) : '') },
];

function RetrainView({ rows, selected, width, height }: ScreenProps<JobRow>) {
  const j = rows[selected];
  const barW = Math.max(10, width - 60);
  const detail = j
    ? [
        `${j.id} ${j.model} (${j.type}) ${j.status} · created ${time(j.createdAt)}`,
        `[${progressBar(jobDone(j), 1, barW)}] ${pct(jobDone(j), 0)} · epoch ${j.epoch} of ${j.epochs} · loss ${num(j.loss, 4)} · ${j.valMetricName} ${num(j.valMetric)}` +
          (j.status === 'running' || j.status === 'queued' ? ` · eta ${duration(j.etaSeconds)}` : ''),
        j.stopped ?? (j.error ? `error: ${j.error}` : ' '),
        j.result ? `registered ${j.result} as a shadow` : ' ',
      ]
    : [];
  const tableH = Math.max(2, height - detail.length - (j ? 1 : 0));
  return (
    <Box flexDirection="column" height={height}>
      <Table columns={columns} rows={rows} selected={selected} height={tableH} width={width}
        tone={(r) => jobTone(r.status)} empty="no retrain jobs; r starts one" />
      {j ? <Line text={'─'.repeat(width)} width={width} tone="dim" /> : null}
      {detail.map((t, i) => (
        <Line key={i} text={t} width={width} tone={i === 2 && j?.error ? 'bad' : i === 1 ? jobTone(j!.status) : i === 3 && j?.result ? 'ok' : undefined} />
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

/** 4 Models: the registry with aliases; promote and roll back, each behind a confirmation. */
import { Box } from 'ink';
import type { ModelRow } from '../../src/engine/snapshot.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { count, num, pct, time } from '../format.js';
import { aliasTone } from '../theme.js';
import { defineScreen, type ScreenProps } from './types.js';

const columns: Column<ModelRow>[] = [
  { title: 'name', kind: 'name', cell: (r) => r.name },
  { title: 'ver', align: 'right', cell: (r) => String(r.version) },
  { title: 'alias', cell: (r) => r.alias },
  { title: 'type', cell: (r) => r.type },
  { title: 'created', cell: (r) => time(r.createdAt) },
  { title: 'rows', align: 'right', cell: (r) => count(r.metrics.rows) },
  { title: 'acc', align: 'right', cell: (r) => pct(r.metrics.accuracy) },
  { title: 'logloss', align: 'right', cell: (r) => num(r.metrics.logLoss) },
  { title: 'auc', align: 'right', cell: (r) => num(r.metrics.auc) },
];

function ModelsView({ rows, selected, width, height }: ScreenProps<ModelRow>) {
  const m = rows[selected];
  const tableH = Math.max(2, height - (m ? 2 : 0));
  return (
    <Box flexDirection="column" height={height}>
      <Table columns={columns} rows={rows} selected={selected} height={tableH} width={width}
        tone={(r) => aliasTone(r.alias)} empty="no models registered" />
      {m ? <Line text={'─'.repeat(width)} width={width} tone="dim" /> : null}
      {m ? (
        <Line text={`${m.name}@${m.version} ${m.alias} · ${m.type} · trained on ${count(m.metrics.rows)} rows · held-out acc ${pct(m.metrics.accuracy)} log loss ${num(m.metrics.logLoss)} AUC ${num(m.metrics.auc)}`}
          width={width} />
      ) : null}
    </Box>
  );
}

export const modelsScreen = defineScreen<ModelRow>({
  id: 'models',
  title: 'Models',
  rows: (s) => s.models,
  text: (r) => `${r.name}@${r.version} ${r.alias} ${r.type}`,
  keys: [
    {
      keys: ['p'], label: 'promote', dangerous: true, confirms: true,
      run: (c) => {
        const m = c.selected as ModelRow | undefined;
        if (!m) return;
        if (m.alias === 'active') return c.actions.flash(`${m.name}@${m.version} is already active.`, 'info');
        c.actions.promote(`${m.name}@${m.version}`);
      },
    },
    { keys: ['u'], label: 'rollback', dangerous: true, confirms: true, run: (c) => c.actions.rollback((c.selected as ModelRow | undefined)?.name) },
  ],
  View: ModelsView,
});

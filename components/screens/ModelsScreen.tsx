/**
 * 4 Models: the registry with aliases, then the versions only the logs know (served by a system
 * that does not register here); promote and roll back, each behind a confirmation; the selected
 * version's CBPE reference, and `r` to pin one (the models only the logs know have none until
 * then: no estimate).
 */
import { Box } from 'ink';
import type { ModelEstimates, ModelRow, Snapshot, TrafficAlias } from '../../src/engine/snapshot.js';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { count, dash, day, num, pct, time } from '../format.js';
import { aliasTone, type Tone } from '../theme.js';
import { defineScreen, type ScreenProps } from './types.js';

/**
 * A row of the screen: a registry version, or (model null) a version seen only in the logs. The
 * snapshot names those by their name@version alone; the screen shows it whole rather than split
 * it with a second copy of the registry's reference rule.
 */
export interface ModelsRow {
  ref: string;              // name@version
  name: string;             // the registry's name; the whole reference for a log-only version
  version: number | null;   // null for a log-only version (it is in `name`)
  alias: TrafficAlias;
  model: ModelRow | null;
}

/** Short: the alias column must leave the name room at 80 columns. */
const aliasText = (a: TrafficAlias): string => (a === 'unregistered' ? 'logs only' : a);

const columns: Column<ModelsRow>[] = [
  { title: 'name', kind: 'name', cell: (r) => r.name },
  { title: 'ver', align: 'right', cell: (r) => (r.version === null ? dash : String(r.version)) },
  { title: 'alias', cell: (r) => aliasText(r.alias) },
  { title: 'type', cell: (r) => r.model?.type ?? dash },
  { title: 'created', cell: (r) => (r.model ? time(r.model.createdAt) : dash) },
  { title: 'rows', align: 'right', cell: (r) => count(r.model?.metrics.rows) },
  { title: 'acc', align: 'right', cell: (r) => pct(r.model?.metrics.accuracy) },
  { title: 'logloss', align: 'right', cell: (r) => num(r.model?.metrics.logLoss) },
  { title: 'auc', align: 'right', cell: (r) => num(r.model?.metrics.auc) },
];

/** Registry versions first (as the registry lists them), then log-only versions by name. */
export function modelsRows(s: Snapshot): ModelsRow[] {
  const registered: ModelsRow[] = s.models.map((m) => ({ ref: `${m.name}@${m.version}`, name: m.name, version: m.version, alias: m.alias, model: m }));
  const known = new Set(registered.map((r) => r.ref));
  const logged: ModelsRow[] = [];
  for (const t of s.traffic) {
    if (known.has(t.model)) continue;
    known.add(t.model);
    logged.push({ ref: t.model, name: t.model, version: null, alias: 'unregistered', model: null });
  }
  return [...registered, ...logged.sort((a, b) => a.ref.localeCompare(b.ref))];
}

/** The reference in force for the selected version, in one line, and what `r` would do. */
export function referenceLine(e: ModelEstimates | undefined): { text: string; tone?: Tone } {
  if (!e) return { text: 'reference: not known until the model serves traffic · r pins a period', tone: 'dim' };
  const r = e.reference;
  if (r === null) return { text: 'reference: none, so no estimate · r pins a period of its labelled traffic', tone: 'warn' };
  const period = r.from !== null ? ` ${day(r.from)} … ${day(r.until)}` : '';
  return r.source === 'pinned'
    ? { text: `reference: pinned${period}, ${count(r.rows)} rows · r pins another` }
    : { text: `reference: held-out rows${period}, ${count(r.rows)} rows · r pins a period` };
}

function ModelsView({ snapshot, rows, selected, width, height }: ScreenProps<ModelsRow>) {
  const r = rows[selected];
  const tableH = Math.max(2, height - (r ? 3 : 0));
  const m = r?.model;
  const ref = r ? referenceLine(snapshot.estimates.find((e) => e.model === r.ref)) : null;
  return (
    <Box flexDirection="column" height={height}>
      <Table columns={columns} rows={rows} selected={selected} height={tableH} width={width}
        tone={(x) => aliasTone(x.alias)} empty="no models registered or seen in the logs" />
      {r ? <Line text={'─'.repeat(width)} width={width} tone="dim" /> : null}
      {r ? (
        <Line text={m
          ? `${r.ref} ${m.alias} · ${m.type} · trained on ${count(m.metrics.rows)} rows · held-out acc ${pct(m.metrics.accuracy)} log loss ${num(m.metrics.logLoss)} AUC ${num(m.metrics.auc)}`
          : `${r.ref} not in registry: seen in the logs only (no promote or rollback here)`}
          width={width} />
      ) : null}
      {ref ? <Line text={ref.text} width={width} tone={ref.tone} /> : null}
    </Box>
  );
}

export const modelsScreen = defineScreen<ModelsRow>({
  id: 'models',
  title: 'Models',
  rows: modelsRows,
  text: (r) => `${r.ref} ${aliasText(r.alias)} ${r.model?.type ?? ''}`,
  keys: [
    {
      keys: ['p'], label: 'promote', dangerous: true, confirms: true,
      run: (c) => {
        const m = c.selected as ModelsRow | undefined;
        if (!m) return;
        if (m.alias === 'active') return c.actions.flash(`${m.ref} is already active.`, 'info');
        if (!m.model) return c.actions.flash(`${m.ref} is not in the registry: register it (mlops-tui train) to promote it.`, 'bad');
        c.actions.promote(m.ref);
      },
    },
    {
      keys: ['u'], label: 'rollback', dangerous: true, confirms: true,
      run: (c) => {
        const m = c.selected as ModelsRow | undefined;
        if (m && !m.model) return c.actions.flash(`${m.ref} is not in the registry: there is nothing to roll back.`, 'bad');
        c.actions.rollback(m?.name);
      },
    },
    {
      keys: ['r'], label: 'pin reference', dangerous: true, confirms: true,
      run: (c) => {
        const m = c.selected as ModelsRow | undefined;
        if (m) c.actions.pinReference(m.ref);
      },
    },
  ],
  View: ModelsView,
});

/** 6 Events: the audit trail, the open alerts, the quarantined lines and the conflicting duplicates, one at a time. */
import type { AlertRow, ConflictSnapshotRow, EventRow, QuarantineRow, Snapshot } from '../../src/engine/snapshot.js';
import { Box } from 'ink';
import { Table, type Column } from '../widgets/Table.js';
import { Line } from '../widgets/Line.js';
import { minute, time } from '../format.js';
import { levelTone } from '../theme.js';
import { defineScreen, type ScreenProps } from './types.js';

type Row = EventRow | AlertRow | QuarantineRow | ConflictSnapshotRow;

const eventColumns: Column<EventRow>[] = [
  { title: 'time', cell: (r) => time(r.at) },
  { title: 'operator', kind: 'name', cell: (r) => r.operator },
  { title: 'action', cell: (r) => r.action },
  { title: 'before → after', kind: 'name', cell: (r) => `${r.before ?? '–'} → ${r.after ?? '–'}` },
  { title: 'details', kind: 'text', width: 10, cell: (r) => r.detail ?? '' },
];
const alertColumns: Column<AlertRow>[] = [
  { title: 'id', align: 'right', cell: (r) => r.id },
  { title: 'opened', cell: (r) => minute(r.at) },
  { title: 'sev', cell: (r) => r.severity },
  { title: 'state', cell: (r) => (r.state === 'acknowledged' ? 'ack' : r.state) },
  { title: 'kind', cell: (r) => r.kind },
  { title: 'subject', kind: 'name', cell: (r) => r.subject },
  { title: 'message', kind: 'text', width: 10, cell: (r) => r.message },
];
const quarantineColumns: Column<QuarantineRow>[] = [
  { title: 'file:line', kind: 'name', cell: (r) => `${r.file}:${r.line}` },
  { title: 'reason', kind: 'text', width: 12, cell: (r) => r.reason },
  { title: 'text', kind: 'text', width: 10, cell: (r) => r.text },
];

const conflictColumns: Column<ConflictSnapshotRow>[] = [
  { title: 'subject', kind: 'name', cell: (r) => r.subject },
  { title: 'request', kind: 'name', cell: (r) => r.requestId },
  // The two versions as logged (the lines' own content, not a figure of ours).
  { title: 'kept', kind: 'text', width: 20, cell: (r) => r.kept },
  { title: 'other', kind: 'text', width: 20, cell: (r) => r.other },
  { title: 'file:line', kind: 'name', cell: (r) => r.where },
];

const SUBS = ['events', 'alerts', 'quarantine', 'conflicts'] as const;
const SUB_KEY: Record<(typeof SUBS)[number], string> = { events: 'e', alerts: 'a', quarantine: 'x', conflicts: 'd' };

function rowsOf(s: Snapshot, sub: string): readonly Row[] {
  return sub === 'alerts' ? s.alerts : sub === 'quarantine' ? s.quarantine : sub === 'conflicts' ? (s.conflicts ?? []) : s.events;
}

function EventsView({ snapshot, rows, selected, sub, width, height }: ScreenProps<Row>) {
  const tabs = SUBS.map((t) => {
    const n = rowsOf(snapshot, t).length;
    const label = `${SUB_KEY[t]} ${t} (${n})`;
    return t === sub ? `[${label}]` : ` ${label} `;
  }).join(' ');
  const dead = snapshot.deadLetters.length;
  const h = height - 1 - (sub === 'alerts' && dead > 0 ? 1 : 0);
  const table =
    sub === 'alerts' ? (
      <Table columns={alertColumns} rows={rows as AlertRow[]} selected={selected} height={h} width={width} tone={(r) => levelTone(r.level)} empty="no open alerts" />
    ) : sub === 'conflicts' ? (
      <Table columns={conflictColumns} rows={rows as ConflictSnapshotRow[]} selected={selected} height={h} width={width} tone={() => 'warn'} empty="no conflicting duplicates" />
    ) : sub === 'quarantine' ? (
      <Table columns={quarantineColumns} rows={rows as QuarantineRow[]} selected={selected} height={h} width={width} tone={() => 'warn'} empty="no quarantined lines" />
    ) : (
      <Table columns={eventColumns} rows={rows as EventRow[]} selected={selected} height={h} width={width} empty="no switches recorded yet" />
    );
  return (
    <Box flexDirection="column" height={height}>
      <Line text={tabs} width={width} bold />
      {sub === 'alerts' && dead > 0 ? (
        <Line text={`${dead} notification${dead === 1 ? '' : 's'} dead-lettered; last: alert ${snapshot.deadLetters[0].alertId} ${snapshot.deadLetters[0].event} via ${snapshot.deadLetters[0].target} after ${snapshot.deadLetters[0].attempts} attempts: ${snapshot.deadLetters[0].error}`} width={width} tone="bad" />
      ) : null}
      {table}
    </Box>
  );
}

const textOf = (r: Row): string =>
  'kept' in r ? `${r.subject} ${r.requestId} ${r.kept} ${r.other} ${r.where}`
  : 'operator' in r ? `${r.operator} ${r.action} ${r.before ?? ''} ${r.after ?? ''} ${r.detail ?? ''}`
    : 'reason' in r ? `${r.file} ${r.reason} ${r.text}`
      : `${r.kind} ${r.detector ?? ''} ${r.subject} ${r.message}`;

const step = (sub: string, d: number) => SUBS[(SUBS.indexOf(sub as (typeof SUBS)[number]) + d + SUBS.length) % SUBS.length];

export const eventsScreen = defineScreen<Row>({
  id: 'events',
  title: 'Events',
  rows: rowsOf,
  text: textOf,
  keys: [
    { keys: ['e'], label: 'audit trail', run: (c) => c.setSub('events') },
    {
      // On the alerts list `a` acknowledges the selected alert; elsewhere it opens the list.
      keys: ['a'], label: 'alerts / ack', run: (c) => {
        if (c.sub !== 'alerts') return c.setSub('alerts');
        const r = c.selected as AlertRow | undefined;
        if (!r) return c.actions.flash('No alert selected.', 'info');
        if (r.state !== 'open') return c.actions.flash(`Alert ${r.id} is ${r.state}.`, 'info');
        c.actions.ackAlert(r.id);
      },
    },
    { keys: ['x'], label: 'quarantine', run: (c) => c.setSub('quarantine') },
    { keys: ['d'], label: 'conflicting duplicates', run: (c) => c.setSub('conflicts') },
    { keys: ['right', 'l'], label: 'next list', hint: false, run: (c) => c.setSub(step(c.sub, 1)) },
    { keys: ['left', 'h'], label: 'previous list', hint: false, run: (c) => c.setSub(step(c.sub, -1)) },
  ],
  View: EventsView,
});

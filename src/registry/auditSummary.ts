/**
 * One line a person reads for an audit row's details (stored as JSON for `history --json`):
 * the gate figures of a promotion, the training metrics of a registration, what a rollback
 * undid. The console's Events screen and `history` print this; only `--json` prints the JSON.
 */
import { count, dateTime, num, pct, signedPct } from '../util/format.js';

interface GateLike {
  pass?: boolean;
  refused?: string | null;
  estimate?: number;
  interval?: [number | null, number | null];
  heldOutRows?: number;
  needRows?: number;
  n?: number;
  o?: number;
  evaluationsAllowed?: number;
  evaluationsUsed?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const numberOr = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Points with a sign; an infinite end of an interval (too few rows for a bound) as ∞. */
function points(x: number | null | undefined): string {
  if (x === null || x === undefined) return '∞';
  if (x === Infinity) return '+∞';
  if (x === -Infinity) return '-∞';
  return signedPct(x);
}

function gateLine(g: GateLike, forced: boolean): string {
  const verdict = g.refused === 'budget-spent' ? 'gate refused: its evaluations on these held-out rows are spent'
    : g.refused === 'not-enough-rows' ? `gate refused: ${count(g.heldOutRows ?? null)} held-out rows, ${count(g.needRows ?? null)} needed`
      : g.pass ? 'gate passed' : 'gate failed';
  const parts = [forced ? `forced (${verdict})` : verdict];
  if (!g.refused && typeof g.estimate === 'number') {
    const ci = g.interval ? ` [${points(g.interval[0])}, ${points(g.interval[1])}]` : '';
    parts.push(`candidate − active ${points(g.estimate)} pts${ci}`);
    if (numberOr(g.n) !== null && numberOr(g.o) !== null) parts.push(`accuracy ${pct(g.o)} → ${pct(g.n)}`);
    if (typeof g.heldOutRows === 'number') parts.push(`on ${count(g.heldOutRows)} held-out rows`);
  }
  return parts.join(', ');
}

function metricsLine(m: Record<string, unknown>): string {
  const parts: string[] = [];
  const rows = numberOr(m.trainedRows) ?? numberOr(m.rows);
  if (rows !== null) parts.push(`trained on ${count(rows)} rows`);
  const from = numberOr(m.from);
  const until = numberOr(m.until);
  if (from !== null && until !== null) parts.push(`${dateTime(from).slice(0, 10)} – ${dateTime(until).slice(0, 10)}`);
  const held: string[] = [];
  if (numberOr(m.accuracy) !== null) held.push(`accuracy ${pct(numberOr(m.accuracy))}`);
  if (numberOr(m.logLoss) !== null) held.push(`log loss ${num(numberOr(m.logLoss))}`);
  if (numberOr(m.auc) !== null) held.push(`AUC ${num(numberOr(m.auc))}`);
  if (held.length) parts.push(`held-out ${held.join(', ')}`);
  return parts.join(' · ');
}

/** Anything else: its fields as `key value`, numbers and nested objects kept short. */
function fieldsLine(o: Record<string, unknown>): string {
  return Object.entries(o)
    .filter(([, v]) => v !== null && v !== undefined && !isObject(v) && !Array.isArray(v))
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? count(v) : num(v)) : String(v)}`)
    .join(', ');
}

export function auditSummary(action: string, details: string | null): string {
  if (details === null || details === '') return '';
  let d: unknown;
  try {
    d = JSON.parse(details);
  } catch {
    return details; // already words (a policy's reason)
  }
  if (typeof d === 'string') return d;
  if (!isObject(d)) return String(d);
  if ('gate' in d) {
    if (isObject(d.gate)) return gateLine(d.gate as GateLike, d.forced === true || action === 'force-promote');
    return typeof d.reason === 'string' ? d.reason : 'no gate';
  }
  if (typeof d.rolledBackFrom === 'string') return `rolled back from ${d.rolledBackFrom}`;
  if (action === 'register' || 'accuracy' in d || 'trainedRows' in d) return metricsLine(d);
  return fieldsLine(d);
}

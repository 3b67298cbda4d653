/**
 * What travels on the stream: one message per log line, already parsed and
 * validated by the shipper with the same rules as local `ingest` (so a bad line
 * is quarantined once, where it was written, and still reaches the store as a
 * quarantine row: nothing is dropped on the way).
 *
 * The message id is (shipper ledger, file generation, line number): the same
 * line re-sent after a crash or a lost acknowledgement carries the same id, and
 * JetStream drops the copy within its duplicate window; the store's unique keys
 * absorb any copy older than that.
 */
import type { QuarantinedLine } from '../../store/ingestStore.js';
import type { LineOrigin, RemoteLine } from '../../store/fleetStore.js';
import type { SpoolKind } from '../../store/shipSpool.js';
import type { LabelRecord, PredictionRecord } from '../../store/records.js';

export const WIRE_VERSION = 1;

interface WireMessage {
  v: number;
  h: string;
  s: string;
  f: number;
  p: string;
  k: SpoolKind;
  r: PredictionRecord | LabelRecord | QuarantinedLine;
}

export function messageId(ship: string, fileId: number, line: number): string {
  return `${ship}:${fileId}:${line}`;
}

/** A subject token: NATS subjects split on dots and reserve `*`, `>` and whitespace. */
export function subjectToken(s: string): string {
  const t = s.replace(/[^A-Za-z0-9_-]/g, '_');
  return t.length > 0 ? t : '_';
}

/** The subject a host's lines are published on; the stream takes `<stream>.>`. */
export function hostSubject(stream: string, host: string): string {
  return `${stream}.lines.${subjectToken(host)}`;
}

export function encodeLine(host: string, ship: string, fileId: number, path: string, kind: SpoolKind,
  record: PredictionRecord | LabelRecord | QuarantinedLine): string {
  const m: WireMessage = { v: WIRE_VERSION, h: host, s: ship, f: fileId, p: path, k: kind, r: record };
  return JSON.stringify(m);
}

const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * Decodes one message. A message that is not ours (another publisher on the
 * subject, a future wire version) becomes a quarantined line naming why, so the
 * operator sees it in the store instead of it vanishing.
 */
export function decodeLine(data: Uint8Array, fallbackId: string, subject: string): RemoteLine {
  const text = Buffer.from(data).toString('utf8');
  let m: unknown;
  try { m = JSON.parse(text); } catch { m = null; }
  if (isObj(m) && m.v === WIRE_VERSION && typeof m.h === 'string' && typeof m.s === 'string' && typeof m.f === 'number'
    && typeof m.p === 'string' && isObj(m.r)) {
    const r = m.r as Record<string, unknown>;
    const line = m.k === 'q' ? Number(r.lineNo) : Number(r.line ?? 0);
    const origin: LineOrigin = { id: messageId(m.s, m.f, line), host: m.h, ship: m.s, fileId: m.f, path: m.p };
    if (m.k === 'p' && r.kind === 'prediction' && typeof r.id === 'string' && typeof r.model === 'string' && typeof r.ts === 'number') {
      return { kind: 'prediction', origin, record: r as unknown as PredictionRecord };
    }
    if (m.k === 'l' && r.kind === 'label' && typeof r.id === 'string' && typeof r.ts === 'number') {
      return { kind: 'label', origin, record: r as unknown as LabelRecord };
    }
    if (m.k === 'q' && typeof r.reason === 'string' && typeof r.text === 'string') {
      return { kind: 'quarantined', origin, line: r as unknown as QuarantinedLine };
    }
  }
  const host = isObj(m) && typeof m.h === 'string' ? m.h : subject;
  return {
    kind: 'quarantined',
    origin: { id: fallbackId, host, ship: 'unknown', fileId: 0, path: subject },
    line: { lineNo: 0, reason: `message on ${subject} is not a mlops-tui ship line (wire version ${WIRE_VERSION})`, text: text.slice(0, 512), bytes: data.length },
  };
}

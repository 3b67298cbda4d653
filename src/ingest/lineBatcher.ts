/**
 * Splits a byte stream into lines, parses them and groups them into batches.
 *
 * Offsets are tracked in bytes of the underlying stream: `consumed` only ever
 * moves past a line once its newline has been seen, so a line still being
 * written (no trailing newline) is left for the next read instead of being
 * parsed half-written. A line longer than the cap is not buffered: its first
 * bytes are kept as the quarantine sample and the rest is skipped up to its
 * newline, so a runaway writer cannot exhaust memory.
 */
import { isUtf8 } from 'node:buffer';
import { parseLine, type LabelRecord, type PredictionRecord } from './records.js';
import type { QuarantinedLine } from '../../store/ingestStore.js';
import type { TimeRange } from '../core/timeRange.js';

export const SAMPLE_BYTES = 512;

export interface Batch {
  predictions: PredictionRecord[];
  labels: LabelRecord[];
  quarantined: QuarantinedLine[];
  /** Stream position just after the last complete line of this batch. */
  endOffset: number;
  /** Number of the last line of this batch. */
  endLine: number;
}

export class LineBatcher {
  private carry: Buffer | null = null;
  private carryStart = 0;
  private oversize: { start: number; bytes: number; sample: Buffer } | null = null;
  private pos: number;
  private line: number;
  private batch: Batch;

  constructor(startOffset: number, startLine: number, private readonly maxLineBytes: number, private readonly timeRange?: TimeRange) {
    this.pos = startOffset;
    this.line = startLine;
    this.batch = this.emptyBatch();
  }

  private emptyBatch(): Batch {
    return { predictions: [], labels: [], quarantined: [], endOffset: this.pos, endLine: this.line };
  }

  get pendingLines(): number {
    return this.batch.predictions.length + this.batch.labels.length + this.batch.quarantined.length;
  }

  /** Takes the batch built so far (possibly empty) and starts a new one. */
  take(): Batch {
    const b = this.batch;
    this.batch = this.emptyBatch();
    this.batch.endOffset = b.endOffset;
    this.batch.endLine = b.endLine;
    return b;
  }

  /** Feeds the next bytes of the stream (contiguous with the previous ones). */
  push(chunk: Buffer): void {
    let buf = chunk;
    let bufStart = this.pos;
    if (this.carry !== null) {
      buf = Buffer.concat([this.carry, chunk]);
      bufStart = this.carryStart;
      this.carry = null;
    }
    this.pos += chunk.length;
    const valid = isUtf8(buf);
    let start = 0;
    if (this.oversize !== null) {
      const nl = buf.indexOf(10);
      if (nl < 0) {
        this.oversize.bytes += buf.length;
        return;
      }
      this.oversize.bytes += nl;
      this.quarantineOversize(bufStart + nl + 1);
      start = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      this.line++;
      this.handleLine(buf, start, nl, valid);
      start = nl + 1;
      this.batch.endOffset = bufStart + start;
      this.batch.endLine = this.line;
    }
    const rest = buf.length - start;
    if (rest > this.maxLineBytes) {
      this.oversize = { start: bufStart + start, bytes: rest, sample: Buffer.from(buf.subarray(start, start + SAMPLE_BYTES)) };
    } else if (rest > 0) {
      this.carry = Buffer.from(buf.subarray(start));
      this.carryStart = bufStart + start;
    }
  }

  /**
   * The stream has ended for good (a finished .gz file): a last line without
   * a newline is complete. For a plain file being appended to, never call this.
   */
  finish(): void {
    if (this.oversize !== null) {
      this.quarantineOversize(this.pos);
    } else if (this.carry !== null) {
      const buf = this.carry;
      this.carry = null;
      this.line++;
      this.handleLine(buf, 0, buf.length, isUtf8(buf));
    }
    this.batch.endOffset = this.pos;
    this.batch.endLine = this.line;
  }

  private quarantineOversize(endOffset: number): void {
    const o = this.oversize!;
    this.oversize = null;
    this.line++;
    this.batch.quarantined.push({
      lineNo: this.line,
      reason: `line of ${o.bytes} bytes exceeds the ${this.maxLineBytes}-byte cap`,
      text: o.sample.toString('utf8'),
      bytes: o.bytes,
    });
    this.batch.endOffset = endOffset;
    this.batch.endLine = this.line;
  }

  private handleLine(buf: Buffer, start: number, end: number, chunkValid: boolean): void {
    let e = end;
    if (e > start && buf[e - 1] === 13) e--; // CRLF writers
    const bytes = e - start;
    if (bytes > this.maxLineBytes) {
      this.batch.quarantined.push({
        lineNo: this.line, reason: `line of ${bytes} bytes exceeds the ${this.maxLineBytes}-byte cap`,
        text: buf.toString('utf8', start, start + SAMPLE_BYTES), bytes,
      });
      return;
    }
    if (!chunkValid && !isUtf8(buf.subarray(start, e))) {
      this.batch.quarantined.push({
        lineNo: this.line, reason: 'not valid UTF-8 (binary data?)',
        text: buf.toString('latin1', start, Math.min(e, start + SAMPLE_BYTES)), bytes,
      });
      return;
    }
    const text = buf.toString('utf8', start, e);
    if (text.trim().length === 0) return; // blank lines carry nothing to lose
    const parsed = parseLine(text);
    if (parsed.kind !== 'rejected' && this.timeRange) {
      const why = this.timeRange.admit(parsed.ts);
      if (why !== null) {
        this.batch.quarantined.push({ lineNo: this.line, reason: `field "ts" out of range: ${why}`, text: text.slice(0, SAMPLE_BYTES), bytes });
        return;
      }
    }
    if (parsed.kind === 'prediction') {
      parsed.line = this.line;
      this.batch.predictions.push(parsed);
    } else if (parsed.kind === 'label') {
      parsed.line = this.line;
      this.batch.labels.push(parsed);
    } else {
      this.batch.quarantined.push({ lineNo: this.line, reason: parsed.reason, text: text.slice(0, SAMPLE_BYTES), bytes });
    }
  }
}

// Streams the rows of a CSV (.csv, .csv.gz) or JSON Lines (.jsonl, .jsonl.gz) file as arrays of
// raw values indexed by column, without building an object per row. The offline drift command
// reads two files of millions of rows; a row object per line (what src/data/csv.ts yields) costs
// more than the statistics, so this reader hands the caller a reused view of each row. CSV is
// scanned as bytes (see scanCsv): no string per line, numbers parsed from the bytes, categories
// counted from their bytes; JSON Lines are decoded and parsed line by line. Quoting follows
// src/data/csv.ts (its splitCsvRecord splits any record with a quote), so both readers agree on
// what a field is.
import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { splitCsvRecord } from '../data/csv.js';
import type { CategorySink } from '../drift/categoryCounter.js';

export type TableFormat = 'csv' | 'jsonl';

/** A file that cannot be read as a table: missing, unparseable, or without data rows. */
export class TableInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableInputError';
  }
}

/** Column names in order of first appearance; CSV knows them all from the header, JSONL discovers them. */
export interface TableColumns {
  names: string[];
  index: Map<string, number>;
}

/**
 * One data row. `value(i)` is the raw value of column `columns.names[i]`: a string in CSV, any
 * scalar in JSONL, undefined when a JSONL row lacks the key. `numeric(i)` is the same value,
 * except that a CSV field holding a plain decimal number arrives already parsed, without a
 * string being made for it (what keeps a 10^6-row file within the time budget). Either way
 * the result goes through values.ts (toNumber / toCategory), so both agree with the live path.
 */
export interface RowView {
  value(i: number): unknown;
  numeric(i: number): unknown;
  /**
   * The hot path of numeric columns: the value when it is already a finite number (a plain
   * decimal in CSV, a JSON number), else NaN, and then the caller asks numeric(i) for it. Always
   * a double, so the per-field call never boxes a number.
   */
  number(i: number): number;
  /** Hands the field to a category counter, in place when it can (see categoryCounter.ts). */
  category(i: number, sink: CategorySink): void;
}

/** Called once per data row; the view is only valid during the call. */
export type RowVisitor = (row: RowView, columns: TableColumns) => void;

class ArrayRow implements RowView {
  values: ArrayLike<unknown> = [];
  value(i: number): unknown {
    return this.values[i];
  }
  numeric(i: number): unknown {
    return this.values[i];
  }
  number(i: number): number {
    const v = this.values[i];
    return typeof v === 'number' && Number.isFinite(v) ? v : NaN;
  }
  category(i: number, sink: CategorySink): void {
    sink.add(this.values[i]);
  }
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** A record whose field count is not the header's (thrown from inside a visit, which it ends). */
class FieldCount {
  constructor(readonly count: number) {}
}

/**
 * A quote-free CSV record as bytes, read in one pass. Fields asked for in order (what every
 * caller does) are parsed from a cursor as it moves: no field boundaries are stored and no byte
 * is looked at twice. Asking out of order, or for text, splits the record first.
 * numeric() parses a plain decimal in place: m / 10^k is the correctly rounded value (both
 * operands exact doubles while m < 2^53 and k ≤ 22, and IEEE division rounds correctly), i.e.
 * exactly what Number() returns; anything else (exponents, whitespace, 16+ digits, text, missing
 * tokens) comes back as the field's text for values.ts to judge.
 */
class ByteRow implements RowView {
  bytes: Uint8Array = new Uint8Array(0);
  /** The record is bytes[start, end), its line ending excluded. */
  start = 0;
  end = 0;
  /** The cursor: field `next` starts at byte `at` (at > end once every field was passed). */
  at = 0;
  next = 0;
  /** After split(): field i spans [starts[i], starts[i + 1] - 1). */
  starts = new Int32Array(64);
  fields = -1;

  reset(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.start = this.at = start;
    this.end = end;
    this.next = 0;
    this.fields = -1;
  }

  /** The number of fields, counting what the cursor has not reached. */
  count(): number {
    if (this.fields >= 0) return this.fields;
    const b = this.bytes;
    let n = this.next;
    if (this.at <= this.end) {
      n++;
      for (let p = this.at; p < this.end; p++) if (b[p] === 44) n++;
    }
    return n;
  }

  private split(): void {
    const b = this.bytes;
    let starts = this.starts;
    let n = 0;
    starts[n++] = this.start;
    for (let p = this.start; p < this.end; p++) {
      if (b[p] !== 44) continue;
      if (n + 1 >= starts.length) {
        const next = new Int32Array(starts.length * 2);
        next.set(starts);
        starts = this.starts = next;
      }
      starts[n++] = p + 1;
    }
    starts[n] = this.end + 1;
    this.fields = n;
  }

  /** Start of field i: the cursor when it is there, else from the split record. */
  private begin(i: number): number {
    if (this.fields < 0 && i === this.next) {
      if (this.at > this.end) throw new FieldCount(this.count());
      return this.at;
    }
    if (this.fields < 0) this.split();
    if (i >= this.fields) throw new FieldCount(this.fields);
    return this.starts[i];
  }

  /** Field i ends at `stop` (its comma or the record's end): moves the cursor past it. */
  private passed(i: number, stop: number): void {
    if (this.fields < 0 && i === this.next) {
      this.next++;
      this.at = stop + 1;
    }
  }

  private fieldEnd(from: number): number {
    const b = this.bytes;
    const end = this.end;
    let p = from;
    while (p < end && b[p] !== 44) p++;
    return p;
  }

  value(i: number): unknown {
    const s = this.begin(i);
    const e = this.fieldEnd(s);
    this.passed(i, e);
    return UTF8.decode(this.bytes.subarray(s, e));
  }

  category(i: number, sink: CategorySink): void {
    const s = this.begin(i);
    const e = this.fieldEnd(s);
    this.passed(i, e);
    sink.addBytes(this.bytes, s, e);
  }

  numeric(i: number): unknown {
    const x = this.number(i);
    if (x === x) return x;
    // Not a plain decimal: the field's text (the cursor has passed it, so from the split record).
    return this.value(i);
  }

  number(i: number): number {
    const b = this.bytes;
    const end = this.end;
    const s = this.begin(i);
    let p = s;
    let neg = false;
    if (p < end && b[p] === 45) {
      neg = true;
      p++;
    }
    let m = 0;
    let digits = 0;
    let frac = 0;
    let dot = false;
    for (; p < end; p++) {
      const c = b[p];
      if (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        digits++;
        if (dot) frac++;
      } else if (c === 46 && !dot) dot = true;
      else break;
    }
    if (p < end && b[p] !== 44) {
      this.passed(i, this.fieldEnd(p));
      return NaN;
    }
    this.passed(i, p);
    if (digits === 0 || digits > 15) return NaN;
    const v = frac > 0 ? m / POW10[frac] : m;
    return neg ? -v : v;
  }
}

export interface TableScanOptions {
  /** JSONL prediction logs: only prediction lines of this model. */
  model?: string;
  /** Bytes per read (default 1 MiB); tests use a few bytes so records straddle every boundary. */
  chunkBytes?: number;
}

export interface TableScan {
  format: TableFormat;
  rows: number;
  columns: TableColumns;
}

export function tableFormat(path: string): TableFormat | null {
  const p = path.toLowerCase().replace(/\.gz$/, '');
  if (p.endsWith('.csv')) return 'csv';
  if (p.endsWith('.jsonl') || p.endsWith('.ndjson') || p.endsWith('.json')) return 'jsonl';
  return null;
}

function open(path: string, chunkBytes = 1 << 20): Readable {
  const raw = createReadStream(path, { highWaterMark: chunkBytes });
  if (!path.toLowerCase().endsWith('.gz')) return raw;
  // zlib's smallest output chunk is 64 bytes.
  const gunzip = createGunzip({ chunkSize: Math.max(64, chunkBytes) });
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/** Yields lines (without '\n' or a trailing '\r') with their 1-based numbers. */
async function forEachLine(path: string, visit: (line: string, lineNo: number) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  const emit = (line: string): void => {
    lineNo++;
    visit(line.endsWith('\r') ? line.slice(0, -1) : line, lineNo);
  };
  const stream = open(path);
  try {
    for await (const chunk of stream) {
      const text = rest + decoder.write(chunk as Buffer);
      let start = 0;
      let nl = text.indexOf('\n');
      while (nl !== -1) {
        emit(text.slice(start, nl));
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      rest = text.slice(start);
    }
    rest += decoder.end();
    if (rest.length > 0) emit(rest);
  } finally {
    stream.destroy();
  }
}

function describeIoError(path: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR') return `${path} is not a valid gzip file`;
  return `cannot read ${path}: ${e.message}`;
}

function checkReadable(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new TableInputError(`${path} does not exist`);
  }
  if (!st.isFile()) throw new TableInputError(`${path} is not a file`);
}

/** Sniffs the format of a file whose name does not say: JSON Lines when the first non-blank character is '{'. */
async function sniff(path: string): Promise<TableFormat> {
  let found: TableFormat | null = null;
  const stop = new Error('stop');
  try {
    await forEachLine(path, (line) => {
      const t = line.trimStart();
      if (t.length === 0) return;
      found = t[0] === '{' ? 'jsonl' : 'csv';
      throw stop;
    });
  } catch (e) {
    if (e !== stop) throw e;
  }
  return found ?? 'csv';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export async function scanTable(path: string, visit: RowVisitor, opts: TableScanOptions = {}): Promise<TableScan> {
  checkReadable(path);
  const columns: TableColumns = { names: [], index: new Map() };
  let rows = 0;
  let format: TableFormat;
  try {
    format = tableFormat(path) ?? (await sniff(path));
    if (format === 'csv') rows = await scanCsv(path, columns, visit, opts.chunkBytes);
    else rows = await scanJsonl(path, columns, visit, opts);
  } catch (e) {
    // Read and gunzip failures (they carry a code) are the file's fault; anything else, such as
    // a visitor stopping the scan early, goes to the caller untouched.
    if (e instanceof TableInputError || typeof (e as NodeJS.ErrnoException)?.code !== 'string') throw e;
    throw new TableInputError(describeIoError(path, e));
  }
  if (rows === 0) throw new TableInputError(`${path} has no data rows`);
  return { format, rows, columns };
}

/** Where a record ends in bytes[from, limit): the index of its '\n', or -1 when it does not end there. */
function recordEnd(bytes: Uint8Array, from: number, limit: number): number {
  // The quote rule of splitCsvRecord: a quote opens a quoted field only at the start of a field,
  // "" inside one is a quote, and a newline inside one belongs to the field.
  let inQuotes = false;
  let fieldStart = true;
  let wasQuoted = false;
  for (let p = from; p < limit; p++) {
    const c = bytes[p];
    if (inQuotes) {
      if (c === 34) {
        if (p + 1 < limit && bytes[p + 1] === 34) p++;
        else if (p + 1 === limit) return -1; // "" or the closing quote: the next chunk decides
        else inQuotes = false;
      }
    } else if (c === 34 && fieldStart && !wasQuoted) {
      inQuotes = true;
      wasQuoted = true;
      fieldStart = false;
    } else if (c === 44) {
      fieldStart = true;
      wasQuoted = false;
    } else if (c === 10) return p;
    else fieldStart = false;
  }
  return -1;
}

/**
 * The CSV reader of offline drift: a byte-level scanner over the file's chunks. A record without
 * a quote (nearly all) is split into fields in place and its numbers parsed from the bytes
 * (ByteRow); a record with a quote is decoded and split by src/data/csv.ts's splitCsvRecord, the
 * one rule for what a quoted field is. A record ends at a newline outside quotes; the '\r' of a
 * CRLF ending is dropped, one inside a quoted field is kept (as RFC 4180 and pandas read it).
 */
async function scanCsv(path: string, columns: TableColumns, visit: RowVisitor, chunkBytes?: number): Promise<number> {
  let header: string[] | null = null;
  let rows = 0;
  let lineNo = 1;
  const row = new ByteRow();
  const arrayRow = new ArrayRow();
  let carry: Uint8Array | null = null;

  const fieldCount = (count: number, at: number): TableInputError =>
    new TableInputError(`${path}:${at}: expected ${header!.length} CSV fields, got ${count}`);

  /** A record with a quote, or the header: decoded and split by the one CSV rule. */
  const slowRecord = (bytes: Uint8Array, start: number, end: number, at: number): void => {
    if (end > start && bytes[end - 1] === 13) end--;
    const fields = splitCsvRecord(UTF8.decode(bytes.subarray(start, end)))!;
    if (header === null) {
      if (fields[0]?.charCodeAt(0) === 0xfeff) fields[0] = fields[0].slice(1);
      header = fields.map((f) => f.trim());
      for (const h of header) {
        if (h === '') throw new TableInputError(`${path}:${at}: empty column name in the CSV header`);
        if (columns.index.has(h)) throw new TableInputError(`${path}:${at}: duplicate column "${h}" in the CSV header`);
        columns.index.set(h, columns.names.length);
        columns.names.push(h);
      }
      return;
    }
    if (fields.length === 1 && fields[0] === '') return; // a blank record
    if (fields.length !== header.length) throw fieldCount(fields.length, at);
    arrayRow.values = fields;
    rows++;
    visit(arrayRow, columns);
  };

  /** Every whole record of bytes[0, limit); returns where the unfinished one starts. */
  const records = (bytes: Uint8Array, limit: number, last: boolean): number => {
    let p = 0;
    // Where the next quote is: records before it take the fast path.
    let quote = -2;
    while (p < limit) {
      if (quote !== -1 && quote < p) quote = bytes.indexOf(34, p);
      let nl = bytes.indexOf(10, p);
      if (nl === -1) nl = limit;
      if (header !== null && (quote === -1 || quote > nl)) {
        if (nl === limit && !last) return p;
        const end = nl > p && bytes[nl - 1] === 13 ? nl - 1 : nl;
        if (end > p) {
          row.reset(bytes, p, end);
          rows++;
          try {
            visit(row, columns);
          } catch (e) {
            if (e instanceof FieldCount) throw fieldCount(e.count, lineNo);
            throw e;
          }
          const n = row.count();
          if (n !== header.length) throw fieldCount(n, lineNo);
        }
        lineNo++;
        p = nl + 1;
        continue;
      }
      const end = recordEnd(bytes, p, limit);
      if (end === -1 && !last) return p;
      const stop = end === -1 ? limit : end;
      if (end === -1 && splitCsvRecord(UTF8.decode(bytes.subarray(p, stop))) === null) {
        throw new TableInputError(`${path}:${lineNo}: unterminated quoted field`);
      }
      const at = lineNo;
      for (let k = p; k < stop; k++) if (bytes[k] === 10) lineNo++;
      slowRecord(bytes, p, stop, at);
      lineNo++;
      p = stop + 1;
    }
    return limit;
  };

  const stream = open(path, chunkBytes);
  try {
    for await (const chunk of stream) {
      // One element type on the hot path: plain Uint8Array views, never a mix with Buffer.
      const buf = chunk as Buffer;
      let bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
      if (carry !== null && carry.length > 0) {
        const joined = new Uint8Array(carry.length + bytes.length);
        joined.set(carry);
        joined.set(bytes, carry.length);
        bytes = joined;
      }
      const done = records(bytes, bytes.length, false);
      // The unfinished record is copied: the stream may reuse its chunk's memory.
      carry = done < bytes.length ? bytes.slice(done) : null;
    }
    if (carry !== null) records(carry, carry.length, true);
  } finally {
    stream.destroy();
  }
  if (header === null) throw new TableInputError(`${path} is empty (no CSV header)`);
  return rows;
}

async function scanJsonl(path: string, columns: TableColumns, visit: RowVisitor, opts: TableScanOptions): Promise<number> {
  let rows = 0;
  const values: unknown[] = [];
  const row = new ArrayRow();
  row.values = values;
  await forEachLine(path, (line, lineNo) => {
    if (line.trim().length === 0) return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      throw new TableInputError(`${path}:${lineNo}: not valid JSON`);
    }
    if (!isPlainObject(obj)) throw new TableInputError(`${path}:${lineNo}: expected a JSON object per line`);
    let source: Record<string, unknown>;
    if (isPlainObject(obj.features)) {
      // A prediction line of the log: its features are the row.
      if (opts.model !== undefined && obj.model !== opts.model) return;
      source = obj.features;
    } else if ('label' in obj && 'id' in obj && !('features' in obj)) {
      return; // a label line of the log carries no features
    } else {
      if (opts.model !== undefined) return;
      source = obj;
    }
    for (let i = 0; i < columns.names.length; i++) values[i] = undefined;
    for (const key in source) {
      const v = source[key];
      // Only scalars are features; nested objects and arrays (scores of a multiclass model) are not.
      if (v !== null && typeof v === 'object') continue;
      let i = columns.index.get(key);
      if (i === undefined) {
        i = columns.names.length;
        columns.index.set(key, i);
        columns.names.push(key);
      }
      values[i] = v;
    }
    rows++;
    visit(row, columns);
  });
  return rows;
}

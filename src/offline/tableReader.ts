// Streams the rows of a CSV (.csv, .csv.gz) or JSON Lines (.jsonl, .jsonl.gz) file as arrays of
// raw values indexed by column, without building an object per row. The offline drift command
// reads two files of millions of rows; a row object per line (what src/data/csv.ts yields) costs
// more than the statistics, so this reader splits decoded chunks itself and hands the caller a
// reused array. Quoting follows src/data/csv.ts (its splitCsvRecord is used for any line with a
// quote), so both readers agree on what a field is.
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
  category(i: number, sink: CategorySink): void {
    sink.add(this.values[i]);
  }
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A quote-free CSV line and its field boundaries. Fields are sliced only when asked for as
 * strings; numeric() parses digits in place. m / 10^k is the correctly rounded value of the
 * decimal (both operands exact doubles while m < 2^53 and k ≤ 22, and IEEE division rounds
 * correctly), i.e. exactly what Number() returns; anything else (exponents, whitespace,
 * 16+ digits, text) falls back to the string.
 */
class LineRow implements RowView {
  line = '';
  /** Field i spans [starts[i], starts[i + 1] - 1). */
  starts = new Int32Array(64);
  fields = 0;

  /** Finds the field boundaries; returns the number of fields. */
  reset(line: string): number {
    this.line = line;
    let n = 0;
    let at = 0;
    for (;;) {
      if (n + 1 >= this.starts.length) {
        const next = new Int32Array(this.starts.length * 2);
        next.set(this.starts);
        this.starts = next;
      }
      this.starts[n++] = at;
      const comma = line.indexOf(',', at);
      if (comma === -1) break;
      at = comma + 1;
    }
    this.starts[n] = line.length + 1;
    this.fields = n;
    return n;
  }

  value(i: number): unknown {
    return this.line.slice(this.starts[i], this.starts[i + 1] - 1);
  }

  category(i: number, sink: CategorySink): void {
    sink.addSpan(this.line, this.starts[i], this.starts[i + 1] - 1);
  }

  numeric(i: number): unknown {
    const line = this.line;
    const end = this.starts[i + 1] - 1;
    let p = this.starts[i];
    if (p === end) return '';
    let neg = false;
    let c = line.charCodeAt(p);
    if (c === 45) {
      neg = true;
      p++;
    }
    let m = 0;
    let digits = 0;
    let frac = 0;
    let dot = false;
    for (; p < end; p++) {
      c = line.charCodeAt(p);
      if (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        digits++;
        if (dot) frac++;
      } else if (c === 46 && !dot) dot = true;
      else return this.value(i);
    }
    if (digits === 0 || digits > 15) return this.value(i);
    const v = frac > 0 ? m / POW10[frac] : m;
    return neg ? -v : v;
  }
}

export interface TableScanOptions {
  /** JSONL prediction logs: only prediction lines of this model. */
  model?: string;
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

function open(path: string): Readable {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!path.toLowerCase().endsWith('.gz')) return raw;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
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
    if (format === 'csv') rows = await scanCsv(path, columns, visit);
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

async function scanCsv(path: string, columns: TableColumns, visit: RowVisitor): Promise<number> {
  let header: string[] | null = null;
  let rows = 0;
  let pending = '';
  let pendingStart = 0;
  const lineRow = new LineRow();
  const arrayRow = new ArrayRow();
  await forEachLine(path, (line, lineNo) => {
    let fields: string[] | null = null;
    if (pending) {
      const text = `${pending}\n${line}`;
      fields = splitCsvRecord(text);
      if (fields === null) {
        pending = text;
        return;
      }
      pending = '';
    } else if (header === null || line.indexOf('"') !== -1) {
      fields = splitCsvRecord(line);
      if (fields === null) {
        pending = line;
        pendingStart = lineNo;
        return;
      }
    }
    const at = pendingStart || lineNo;
    pendingStart = 0;
    if (header === null) {
      fields = fields!;
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
    let count: number;
    let row: RowView;
    if (fields === null) {
      if (line.length === 0) return; // blank line
      count = lineRow.reset(line);
      row = lineRow;
    } else {
      if (fields.length === 1 && fields[0] === '') return;
      count = fields.length;
      arrayRow.values = fields;
      row = arrayRow;
    }
    if (count !== header.length) {
      throw new TableInputError(`${path}:${at}: expected ${header.length} CSV fields, got ${count}`);
    }
    rows++;
    visit(row, columns);
  });
  if (pending) throw new TableInputError(`${path}:${pendingStart}: unterminated quoted field`);
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

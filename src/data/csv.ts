// Streaming CSV reader for `.csv` and `.csv.gz` (RFC 4180 quoting: "a, b", "say ""hi""", and
// quoted fields spanning lines). Rows come out as Record<string, string> keyed by the header; a
// row whose field count differs from the header is an error naming the file and line, because
// silently padding would shift values into the wrong columns.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { isMissing, toNumber } from '../core/values.js';

export type CsvRow = Record<string, string>;

export class CsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'CsvError';
  }
}

export interface CsvOptions {
  delimiter?: string;
}

/** Splits one logical CSV record into fields. Returns null if a quote is still open (record continues on the next line). */
export function splitCsvRecord(text: string, delimiter = ','): string[] | null {
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += c;
    } else if (c === '"' && field.length === 0 && !wasQuoted) {
      inQuotes = true;
      wasQuoted = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
      wasQuoted = false;
    } else field += c;
  }
  if (inQuotes) return null;
  fields.push(field);
  return fields;
}

function openText(path: string): Readable {
  const raw = createReadStream(path);
  if (!path.endsWith('.gz')) return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

export interface CsvRecord {
  /** 1-based line where the record starts (the header is line 1). */
  line: number;
  row: CsvRow;
}

/** Streams the rows of a CSV file with a header row. */
export async function* readCsv(path: string, options: CsvOptions = {}): AsyncGenerator<CsvRow> {
  for await (const record of readCsvRecords(path, options)) yield record.row;
}

/** Streams rows with the line each starts on, for callers that report errors per row. */
export async function* readCsvRecords(path: string, options: CsvOptions = {}): AsyncGenerator<CsvRecord> {
  const delimiter = options.delimiter ?? ',';
  let stream: Readable;
  try {
    stream = openText(path);
  } catch (e) {
    throw new CsvError(path, 0, (e as Error).message);
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let header: string[] | null = null;
  let lineNo = 0;
  let pending = '';
  let pendingStart = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      const text = pending ? `${pending}\n${line}` : line;
      if (!pending) pendingStart = lineNo;
      const fields = splitCsvRecord(text, delimiter);
      if (fields === null) {
        pending = text;
        continue;
      }
      pending = '';
      if (header === null) {
        if (fields[0]?.charCodeAt(0) === 0xfeff) fields[0] = fields[0].slice(1);
        header = fields.map((f) => f.trim());
        const seen = new Set<string>();
        for (const h of header) {
          if (h === '') throw new CsvError(path, pendingStart, 'empty column name in header');
          if (seen.has(h)) throw new CsvError(path, pendingStart, `duplicate column "${h}" in header`);
          seen.add(h);
        }
        continue;
      }
      if (fields.length === 1 && fields[0] === '') continue; // blank line
      if (fields.length !== header.length) {
        throw new CsvError(path, pendingStart, `expected ${header.length} fields, got ${fields.length}`);
      }
      const row: CsvRow = {};
      for (let i = 0; i < header.length; i++) row[header[i]!] = fields[i]!;
      yield { line: pendingStart, row };
    }
  } catch (e) {
    if (e instanceof CsvError) throw e;
    throw new CsvError(path, lineNo, (e as Error).message);
  } finally {
    lines.close();
    stream.destroy();
  }
  if (pending) throw new CsvError(path, pendingStart, 'unterminated quoted field');
  if (header === null) throw new CsvError(path, 1, 'no header row');
}

/** Reads the whole file into memory; fine for the sample data (a few hundred thousand rows). */
export async function readCsvAll(path: string, options: CsvOptions = {}): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of readCsv(path, options)) rows.push(row);
  return rows;
}

// One notion of "missing" across the project (null, undefined, '', NaN), shared with drift
// profiles and the feature encoder, so training and monitoring never disagree about it.
export { isMissing, toNumber } from '../core/values.js';

/** A finite number or null when missing; a non-missing value that is not a number is an error naming where it came from. */
export function requireNumber(value: unknown, where: { file: string; line: number; column: string }): number | null {
  if (isMissing(value)) return null;
  const n = toNumber(value);
  if (n === null) throw new CsvError(where.file, where.line, `column "${where.column}": "${String(value)}" is not a number`);
  return n;
}

/**
 * The parse thread of file ingest (src/ingest/parsePipeline.ts starts it): splits the bytes the
 * reader hands over into lines, parses and validates them, applies the event-time range and
 * redaction, and posts each chunk's batch back as columns (src/ingest/preparedBatch.ts). It
 * holds no database and decides nothing about files: the reading thread keeps file identity,
 * offsets and commits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LineBatcher } from './lineBatcher.js';
import { ShapeTable } from './schemaTracker.js';
import { encodeBatch } from './preparedBatch.js';
import { TimeRange } from '../core/timeRange.js';
import { setMissingValues } from '../core/values.js';
import { Redactor } from '../redact/redact.js';
import type { FromParser, ParseWorkerData, ToParser } from './parsePipeline.js';

const port = parentPort;
if (!port) throw new Error('parseWorker must run in a worker thread');
const data = workerData as ParseWorkerData;
// Module state is per thread: the same missing tokens as the reading thread (schema kinds).
setMissingValues(data.missingValues);
const range = new TimeRange(data.timeRange, data.newestTs);
const redactor = data.redact === null ? null : new Redactor(data.redact.rules, Buffer.from(data.redact.key));
const shapes = new ShapeTable();
let sent = 0;
const streams = new Map<number, LineBatcher>();
const post = (m: FromParser, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

port.on('message', (m: ToParser) => {
  if (m.type === 'open') {
    streams.set(m.stream, new LineBatcher(m.offset, m.line, data.maxLineBytes, range));
  } else if (m.type === 'close') {
    streams.delete(m.stream);
  } else {
    const batcher = streams.get(m.stream);
    if (batcher === undefined) return;
    try {
      batcher.push(Buffer.from(m.buf, 0, m.length));
      const read = batcher.take();
      const batch = redactor === null ? read : redactor.batch(read);
      const e = encodeBatch(batch, shapes, sent);
      sent = e.sent;
      post({ type: 'batch', stream: m.stream, batch: e.msg }, e.transfer);
    } catch (err) {
      streams.delete(m.stream);
      post({ type: 'error', stream: m.stream, message: (err as Error).stack ?? String(err) });
    }
  }
});

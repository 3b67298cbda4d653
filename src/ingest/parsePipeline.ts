/**
 * File ingest on two threads (issue 14): the reading thread reads a chunk, hands its bytes to a
 * parse worker (transferred, not copied) and commits the previous chunk's batch while the worker
 * parses this one. Parsing, validation and serialization were a third of the ingest's time on
 * the thread that also inserts; now they overlap with the inserts.
 *
 * Everything that decides what is committed stays on the reading thread, where it was: file
 * identity (in the store's IMMEDIATE transaction), the check that a chunk was read from the
 * same generation of the file, the offset committed with its batch, the schema bound, and
 * stopping at a transaction boundary. The worker only turns bytes into rows, in order, per
 * stream; a batch the reader no longer wants (a stop, a lost race) is dropped, and its bytes are
 * read again by the next scan from the committed offset.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../util/moduleWorker.js';
import { missingValues } from '../core/values.js';
import type { TimeRangeRule } from '../core/timeRange.js';
import type { Redactor } from '../redact/redact.js';
import type { RedactAction } from '../config.js';
import { decodeBatch, ShapeMirror, type EncodedBatch, type PreparedBatch } from './preparedBatch.js';

export interface ParseWorkerData {
  maxLineBytes: number;
  timeRange: TimeRangeRule;
  newestTs: number | null;
  missingValues: string[];
  redact: { rules: Readonly<Record<string, RedactAction>>; key: Uint8Array } | null;
}

export type ToParser =
  | { type: 'open'; stream: number; offset: number; line: number }
  | { type: 'chunk'; stream: number; buf: ArrayBuffer; length: number }
  | { type: 'close'; stream: number };

export type FromParser =
  | { type: 'batch'; stream: number; batch: EncodedBatch }
  | { type: 'error'; stream: number; message: string };

interface Waiter { resolve: (b: PreparedBatch) => void; reject: (e: Error) => void }

/** One file's bytes through the parse worker: `send` chunks in order, `next` their batches in the same order. */
export interface ParseStream {
  send(buf: Buffer, length: number): void;
  next(): Promise<PreparedBatch>;
  close(): void;
}

export class ParsePipeline {
  private readonly worker: Worker;
  private readonly mirror = new ShapeMirror();
  private readonly waiting = new Map<number, Waiter[]>();
  private pending = 0;
  private nextStream = 1;
  private failure: Error | null = null;

  constructor(opts: { maxLineBytes: number; timeRange: TimeRangeRule; newestTs: number | null; redact: Redactor | null }) {
    const data: ParseWorkerData = {
      maxLineBytes: opts.maxLineBytes, timeRange: opts.timeRange, newestTs: opts.newestTs, missingValues: missingValues(),
      redact: opts.redact?.data ?? null,
    };
    this.worker = startModuleWorker(import.meta.url, './parseWorker', data);
    // Held only while a batch is awaited: an idle parser never keeps the process alive.
    this.worker.unref();
    this.worker.on('message', (m: FromParser) => this.receive(m));
    this.worker.on('error', (e: Error) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the parse worker exited (code ${code})`)));
  }

  /** Why the worker stopped working, or null: the caller then parses on its own thread. */
  get broken(): Error | null {
    return this.failure;
  }

  private receive(m: FromParser): void {
    // Shapes are taken from every batch, even one whose stream was closed: later ones refer to them.
    const shapes = m.type === 'batch' ? this.mirror.receive(m.batch) : null;
    const q = this.waiting.get(m.stream);
    const w = q?.shift();
    if (w === undefined) return;
    this.settled();
    if (m.type === 'error') w.reject(new Error(`parse worker: ${m.message}`));
    else w.resolve(decodeBatch(m.batch, shapes!));
  }

  private settled(): void {
    if (--this.pending === 0) this.worker.unref();
  }

  private fail(e: Error): void {
    if (this.failure !== null) return;
    this.failure = e;
    for (const q of this.waiting.values()) for (const w of q.splice(0)) w.reject(e);
    this.pending = 0;
  }

  /** A stream of a file's bytes from `offset` (line number `line`). */
  open(offset: number, line: number): ParseStream {
    const stream = this.nextStream++;
    const queue: Waiter[] = [];
    const results: Array<Promise<PreparedBatch>> = [];
    this.waiting.set(stream, queue);
    this.worker.postMessage({ type: 'open', stream, offset, line } satisfies ToParser);
    return {
      send: (buf, length) => {
        if (this.failure !== null) throw this.failure;
        // A fresh buffer per chunk: its memory moves to the worker with the message.
        const ab = buf.buffer.byteLength === buf.length && buf.byteOffset === 0 ? buf.buffer : new Uint8Array(buf.subarray(0, length)).buffer;
        results.push(new Promise<PreparedBatch>((resolve, reject) => queue.push({ resolve, reject })));
        if (this.pending++ === 0) this.worker.ref();
        this.worker.postMessage({ type: 'chunk', stream, buf: ab as ArrayBuffer, length } satisfies ToParser, [ab as ArrayBuffer]);
      },
      next: () => {
        const r = results.shift();
        if (r === undefined) return Promise.reject(new Error('parse stream: next() without a chunk sent'));
        return r;
      },
      close: () => {
        // Batches still on their way are dropped when they arrive; their shapes are kept.
        this.pending -= queue.length;
        if (queue.length > 0 && this.pending === 0) this.worker.unref();
        queue.length = 0;
        this.waiting.delete(stream);
        for (const r of results.splice(0)) r.catch(() => undefined);
        if (this.failure === null) this.worker.postMessage({ type: 'close', stream } satisfies ToParser);
      },
    };
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the parse worker was closed');
    await this.worker.terminate();
  }
}

/**
 * A batch of parsed lines as it crosses from the parse worker to the thread that stores it.
 *
 * Structured cloning an array of parsed records (objects holding feature objects) cost more than
 * parsing the lines again: ~160 ms per MiB of log against ~50 ms for `JSON.parse` and validation.
 * So a batch travels as columns: every string field of every row concatenated into one string
 * with its lengths beside it, and the numbers in typed arrays whose buffers are transferred, not
 * copied. Decoding is slicing (`substring` of a flat string makes no copy). The features travel
 * as the JSON text that is stored, and the schema tracker gets each row's shape (its feature
 * names and kinds, numbered: rows of one stream share a handful) instead of the feature objects.
 */
import type { LabelRow, PredictionRow } from '../../store/records.js';
import type { QuarantinedLine } from '../../store/ingestStore.js';
import type { Batch } from './lineBatcher.js';
import { predictionRow, labelRow } from '../../store/records.js';
import type { Shape, ShapeTable } from './schemaTracker.js';

/** Strings per prediction: id, model, features, prediction, scores (length -1: null). */
const P_STRINGS = 5;
/** Numbers per prediction: version, ts, score (NaN: null), line, shape. */
const P_NUMBERS = 5;
/** Strings per label: id, label. Numbers: ts, line. */
const L_STRINGS = 2;
const L_NUMBERS = 2;

export interface EncodedBatch {
  endOffset: number;
  endLine: number;
  /** The shape table was cleared before this batch: ids start again from 0. */
  shapesReset: boolean;
  /** Shapes first used in this batch, numbered from the table's length before it. */
  newShapes: Shape[];
  predictions: { n: number; text: string; lens: Int32Array; nums: Float64Array };
  labels: { n: number; text: string; lens: Int32Array; nums: Float64Array };
  quarantined: QuarantinedLine[];
}

/** A batch ready to commit: rows serialized for storage, and each prediction's shape. */
export interface PreparedBatch {
  predictions: PredictionRow[];
  /** `shapes[rowShape[i]]` is the shape of `predictions[i]`. */
  rowShape: ArrayLike<number>;
  shapes: readonly Shape[];
  labels: LabelRow[];
  quarantined: QuarantinedLine[];
  endOffset: number;
  endLine: number;
}

/** Shapes past this many are forgotten (both sides), so ever-new feature names cannot grow the table for good. */
export const MAX_SHAPES = 4096;

/** Encodes a parsed (and redacted) batch; `sent` is how many shapes of `table` the receiver has. */
export function encodeBatch(b: Batch, table: ShapeTable, sent: number): { msg: EncodedBatch; transfer: ArrayBuffer[]; sent: number } {
  let shapesReset = false;
  if (table.all.length > MAX_SHAPES) {
    table.clear();
    shapesReset = true;
    sent = 0;
  }
  const np = b.predictions.length;
  const pLens = new Int32Array(np * P_STRINGS);
  const pNums = new Float64Array(np * P_NUMBERS);
  const pText: string[] = [];
  for (let i = 0; i < np; i++) {
    const r = b.predictions[i];
    const row = predictionRow(r);
    const s = i * P_STRINGS;
    pText.push(row.id, row.model, row.features, row.prediction);
    pLens[s] = row.id.length;
    pLens[s + 1] = row.model.length;
    pLens[s + 2] = row.features.length;
    pLens[s + 3] = row.prediction.length;
    if (row.scores === null) pLens[s + 4] = -1;
    else {
      pText.push(row.scores);
      pLens[s + 4] = row.scores.length;
    }
    const k = i * P_NUMBERS;
    pNums[k] = row.version;
    pNums[k + 1] = row.ts;
    pNums[k + 2] = row.score === null ? NaN : row.score;
    pNums[k + 3] = row.line;
    pNums[k + 4] = table.shapeOf(r.features);
  }
  const nl = b.labels.length;
  const lLens = new Int32Array(nl * L_STRINGS);
  const lNums = new Float64Array(nl * L_NUMBERS);
  const lText: string[] = [];
  for (let i = 0; i < nl; i++) {
    const row = labelRow(b.labels[i]);
    lText.push(row.id, row.label);
    lLens[i * L_STRINGS] = row.id.length;
    lLens[i * L_STRINGS + 1] = row.label.length;
    lNums[i * L_NUMBERS] = row.ts;
    lNums[i * L_NUMBERS + 1] = row.line;
  }
  const msg: EncodedBatch = {
    endOffset: b.endOffset, endLine: b.endLine, shapesReset, newShapes: table.all.slice(sent),
    predictions: { n: np, text: pText.join(''), lens: pLens, nums: pNums },
    labels: { n: nl, text: lText.join(''), lens: lLens, nums: lNums },
    quarantined: b.quarantined,
  };
  return { msg, transfer: [pLens.buffer, pNums.buffer, lLens.buffer, lNums.buffer] as ArrayBuffer[], sent: table.all.length };
}

/** The receiving side's copy of the sender's shape table. */
export class ShapeMirror {
  private table: Shape[] = [];

  /** Takes the shapes a message defines; call for every message received, in order, even one then dropped. */
  receive(msg: EncodedBatch): readonly Shape[] {
    // A new array on reset: a batch received before it keeps the table its ids refer to.
    if (msg.shapesReset) this.table = [];
    for (const s of msg.newShapes) this.table.push(s);
    return this.table;
  }
}

export function decodeBatch(msg: EncodedBatch, shapes: readonly Shape[]): PreparedBatch {
  const p = msg.predictions;
  const predictions: PredictionRow[] = new Array(p.n);
  const rowShape = new Int32Array(p.n);
  let at = 0;
  const take = (text: string, len: number): string => text.substring(at, (at += len));
  for (let i = 0; i < p.n; i++) {
    const s = i * P_STRINGS;
    const k = i * P_NUMBERS;
    const id = take(p.text, p.lens[s]);
    const model = take(p.text, p.lens[s + 1]);
    const features = take(p.text, p.lens[s + 2]);
    const prediction = take(p.text, p.lens[s + 3]);
    const scores = p.lens[s + 4] < 0 ? null : take(p.text, p.lens[s + 4]);
    const score = p.nums[k + 2];
    predictions[i] = { id, model, version: p.nums[k], ts: p.nums[k + 1], features, prediction, score: Number.isNaN(score) ? null : score, scores, line: p.nums[k + 3] };
    rowShape[i] = p.nums[k + 4];
  }
  const l = msg.labels;
  const labels: LabelRow[] = new Array(l.n);
  at = 0;
  for (let i = 0; i < l.n; i++) {
    const id = take(l.text, l.lens[i * L_STRINGS]);
    const label = take(l.text, l.lens[i * L_STRINGS + 1]);
    labels[i] = { id, ts: l.nums[i * L_NUMBERS], label, line: l.nums[i * L_NUMBERS + 1] };
  }
  return { predictions, rowShape, shapes, labels, quarantined: msg.quarantined, endOffset: msg.endOffset, endLine: msg.endLine };
}

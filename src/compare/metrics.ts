/**
 * Classification metrics on labelled rows, matching scikit-learn's definitions
 * (accuracy_score, log_loss, roc_auc_score) so numbers on screen can be checked
 * against a notebook. Binary labels are 0/1; multiclass labels are class indices.
 */

/** Fraction of rows where the predicted class equals the label. NaN for no rows. */
export function accuracy(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  checkSameLength(labels, predicted);
  const n = labels.length;
  if (n === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < n; i++) if (labels[i] === predicted[i]) correct++;
  return correct / n;
}

/** Loss of one binary row, probability clipped to [eps, 1 - eps] as sklearn does. */
export function binaryLogLossTerm(label: number, probPositive: number, eps = 1e-15): number {
  const p = Math.min(Math.max(probPositive, eps), 1 - eps);
  return label === 1 ? -Math.log(p) : -Math.log(1 - p);
}

/** Mean binary cross-entropy; probPositive is P(label = 1). NaN for no rows. */
export function logLoss(labels: ArrayLike<number>, probPositive: ArrayLike<number>, eps = 1e-15): number {
  checkSameLength(labels, probPositive);
  const n = labels.length;
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += binaryLogLossTerm(labels[i], probPositive[i], eps);
  return sum / n;
}

/**
 * Mean multiclass cross-entropy. probs[i] holds the class probabilities of row i.
 * Like sklearn 1.2, each row is clipped to [eps, 1 - eps] and then renormalised to sum 1.
 */
export function logLossMulticlass(labels: ArrayLike<number>, probs: ArrayLike<number>[], eps = 1e-15): number {
  checkSameLength(labels, probs);
  const n = labels.length;
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const row = probs[i];
    let total = 0;
    for (let k = 0; k < row.length; k++) total += Math.min(Math.max(row[k], eps), 1 - eps);
    const label = labels[i];
    if (!(label >= 0 && label < row.length)) throw new RangeError(`label ${label} outside 0..${row.length - 1}`);
    const p = Math.min(Math.max(row[label], eps), 1 - eps) / total;
    sum -= Math.log(p);
  }
  return sum / n;
}

/**
 * Area under the ROC curve for 0/1 labels. Computed as the Mann–Whitney statistic with
 * average ranks for tied scores, which equals sklearn's trapezoidal roc_auc_score.
 * NaN when only one class is present. O(n log n).
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkSameLength(labels, scores);
  const n = labels.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    // ranks i+1 .. j+1 share their average
    const avgRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        nPos++;
        rankSumPos += avgRank;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new RangeError(`length mismatch: ${a.length} vs ${b.length}`);
}

export interface RollingSnapshot {
  /** labelled rows currently in the window */
  count: number;
  accuracy: number;
  logLoss: number;
}

/**
 * The last `capacity` labelled (label, score, predicted) triples of a binary model.
 * Accuracy and log loss are running sums updated in O(1) per row (the evicted row's
 * contribution is subtracted); AUC needs a sort, so it is computed on demand.
 * Log-loss sums are recomputed from the buffer every `capacity` updates so floating
 * point drift from add/subtract cannot accumulate without bound.
 */
export class RollingMetrics {
  readonly capacity: number;
  private readonly eps: number;
  private readonly labels: Float64Array;
  private readonly scores: Float64Array;
  private readonly predicted: Float64Array;
  private readonly losses: Float64Array;
  private start = 0;
  private size = 0;
  private correct = 0;
  private lossSum = 0;
  private sinceResum = 0;

  constructor(capacity: number, eps = 1e-15) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
    this.eps = eps;
    this.labels = new Float64Array(capacity);
    this.scores = new Float64Array(capacity);
    this.predicted = new Float64Array(capacity);
    this.losses = new Float64Array(capacity);
  }

  /** Adds one labelled row; score is P(label = 1). */
  add(label: number, score: number, predicted: number): void {
    let slot: number;
    if (this.size < this.capacity) {
      slot = (this.start + this.size) % this.capacity;
      this.size++;
    } else {
      slot = this.start;
      if (this.labels[slot] === this.predicted[slot]) this.correct--;
      this.lossSum -= this.losses[slot];
      this.start = (this.start + 1) % this.capacity;
    }
    const loss = binaryLogLossTerm(label, score, this.eps);
    this.labels[slot] = label;
    this.scores[slot] = score;
    this.predicted[slot] = predicted;
    this.losses[slot] = loss;
    if (label === predicted) this.correct++;
    this.lossSum += loss;
    if (++this.sinceResum >= this.capacity) this.resum();
  }

  get count(): number {
    return this.size;
  }

  accuracy(): number {
    return this.size === 0 ? NaN : this.correct / this.size;
  }

  logLoss(): number {
    return this.size === 0 ? NaN : this.lossSum / this.size;
  }

  /** O(n log n) over the window. */
  rocAuc(): number {
    const { labels, scores } = this.window();
    return rocAuc(labels, scores);
  }

  snapshot(): RollingSnapshot {
    return { count: this.size, accuracy: this.accuracy(), logLoss: this.logLoss() };
  }

  /** Copies of the window's rows, oldest first. */
  window(): { labels: Float64Array; scores: Float64Array; predicted: Float64Array } {
    const labels = new Float64Array(this.size);
    const scores = new Float64Array(this.size);
    const predicted = new Float64Array(this.size);
    for (let k = 0; k < this.size; k++) {
      const slot = (this.start + k) % this.capacity;
      labels[k] = this.labels[slot];
      scores[k] = this.scores[slot];
      predicted[k] = this.predicted[slot];
    }
    return { labels, scores, predicted };
  }

  clear(): void {
    this.start = 0;
    this.size = 0;
    this.correct = 0;
    this.lossSum = 0;
    this.sinceResum = 0;
  }

  private resum(): void {
    let s = 0;
    for (let k = 0; k < this.size; k++) s += this.losses[(this.start + k) % this.capacity];
    this.lossSum = s;
    this.sinceResum = 0;
  }
}

// Counts categories straight from the text of a CSV line: the field is hashed in place and
// compared with the stored key (String.prototype.startsWith at an offset), so no string is
// made for a category already seen. A 10^6-row file with 10 categorical columns otherwise
// allocates and hashes 10^7 short strings, most of the cost of counting them.
// Same notion of a category as values.ts: a string as is, anything else through toCategory;
// '' and the other missing tokens (NA, N/A, null...) are not counted. A field is checked against
// the missing tokens once, when its text is first seen; later hits on the same key reuse the answer.
import type { CategoricalProfile } from './profile.js';
import { isMissing, isMissingSpan, toCategory } from '../core/values.js';

/** What a RowView hands categorical fields to. */
export interface CategorySink {
  /** A raw value (JSONL, quoted CSV fields). */
  add(v: unknown): void;
  /** The field text[start, end) of a CSV line. */
  addSpan(text: string, start: number, end: number): void;
}

const EMPTY = -1;

export class CategoryCounter implements CategorySink {
  count = 0;
  private keys: string[] = [];
  private counts: number[] = [];
  private hashes: number[] = [];
  /** Keys that are missing tokens: held in the table so they are recognised in place, never counted. */
  private missingKey: boolean[] = [];
  /** Open addressing: slot → index into keys, or EMPTY. */
  private table = new Int32Array(64).fill(EMPTY);
  private mask = 63;

  add(v: unknown): void {
    if (isMissing(v)) return;
    const s = typeof v === 'string' ? v : toCategory(v)!;
    this.addSpan(s, 0, s.length);
  }

  addSpan(text: string, start: number, end: number): void {
    const len = end - start;
    if (len === 0) return; // '' is missing
    // FNV-1a over UTF-16 code units.
    let h = 0x811c9dc5;
    for (let p = start; p < end; p++) h = Math.imul(h ^ text.charCodeAt(p), 0x01000193);
    h >>>= 0;
    let slot = h & this.mask;
    for (;;) {
      const k = this.table[slot];
      if (k === EMPTY) break;
      if (this.hashes[k] === h) {
        const key = this.keys[k];
        if (key.length === len && text.startsWith(key, start)) {
          if (this.missingKey[k]) return;
          this.counts[k]++;
          this.count++;
          return;
        }
      }
      slot = (slot + 1) & this.mask;
    }
    const k = this.keys.length;
    const missing = isMissingSpan(text, start, end);
    this.keys.push(start === 0 && end === text.length ? text : text.slice(start, end));
    this.counts.push(missing ? 0 : 1);
    this.hashes.push(h);
    this.missingKey.push(missing);
    this.table[slot] = k;
    if (!missing) this.count++;
    if (this.keys.length * 2 > this.mask) this.grow();
  }

  private grow(): void {
    const size = (this.mask + 1) * 2;
    this.table = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (let k = 0; k < this.keys.length; k++) {
      let slot = this.hashes[k] & this.mask;
      while (this.table[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.table[slot] = k;
    }
  }

  countsRecord(): Record<string, number> {
    // fromEntries, not assignment: a category named "__proto__" must stay a key.
    return Object.fromEntries(this.keys.flatMap((k, i) => (this.missingKey[i] ? [] : [[k, this.counts[i]]])));
  }

  /** Missing = rows − count, which also counts JSONL rows that lacked the key. */
  profile(rows: number): CategoricalProfile {
    return { kind: 'categorical', count: this.count, missing: rows - this.count, counts: this.countsRecord() };
  }
}

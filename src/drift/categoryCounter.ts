// Counts categories straight from the text of a CSV line: the field is hashed in place and
// compared with the stored key (String.prototype.startsWith at an offset), so no string is
// made for a category already seen. A 10^6-row file with 10 categorical columns otherwise
// allocates and hashes 10^7 short strings, most of the cost of counting them.
// Same notion of a category as values.ts: a string as is, anything else through toCategory;
// '' and the other missing tokens (NA, N/A, null...) are not counted. A field is checked against
// the missing tokens once, when its text is first seen; later hits on the same key reuse the answer.
// The offline CSV scanner hands raw bytes (addBytes): those are hashed and compared as bytes in a
// second table that points at the same keys, so a category is decoded to a string once, when it is
// first seen, whichever way it arrives.
import type { CategoricalProfile } from './profile.js';
import { isMissing, isMissingSpan, toCategory } from '../core/values.js';

/** What a RowView hands categorical fields to. */
export interface CategorySink {
  /** A raw value (JSONL, quoted CSV fields). */
  add(v: unknown): void;
  /** The field text[start, end) of a CSV line. */
  addSpan(text: string, start: number, end: number): void;
  /** The UTF-8 field bytes[start, end) of a CSV record. */
  addBytes(bytes: Uint8Array, start: number, end: number): void;
}

const EMPTY = -1;
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

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
    if (end === start) return; // '' is missing
    const k = this.keyOf(text, start, end);
    if (this.missingKey[k]) return;
    this.counts[k]++;
    this.count++;
  }

  /** Byte keys: their bytes back to back in `arena`. */
  private arena = new Uint8Array(1024);
  private arenaUsed = 0;
  private byteKeys = 0;
  /**
   * Open addressing over byte keys, four int32 per slot: hash, start in the arena, length, and
   * the key index + 1 (0: empty slot). One typed array, so a probe touches one cache line.
   */
  private bytesTable = new Int32Array(64 * 4);
  private byteMask = 63;

  addBytes(bytes: Uint8Array, start: number, end: number): void {
    const len = end - start;
    if (len === 0) return;
    // FNV-1a over bytes.
    let h = 0x811c9dc5 | 0;
    for (let p = start; p < end; p++) h = Math.imul(h ^ bytes[p], 0x01000193);
    const t = this.bytesTable;
    const arena = this.arena;
    let slot = h & this.byteMask;
    for (;;) {
      const at = slot << 2;
      const k1 = t[at + 3];
      if (k1 === 0) break;
      if (t[at] === h && t[at + 2] === len) {
        let q = t[at + 1];
        let p = start;
        while (p < end && arena[q] === bytes[p]) {
          p++;
          q++;
        }
        if (p === end) {
          const k = k1 - 1;
          if (this.missingKey[k]) return;
          this.counts[k]++;
          this.count++;
          return;
        }
      }
      slot = (slot + 1) & this.byteMask;
    }
    const text = UTF8.decode(bytes.subarray(start, end));
    const k = this.keyOf(text, 0, text.length);
    if (this.arenaUsed + len > this.arena.length) {
      const next = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + len));
      next.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = next;
    }
    this.arena.set(bytes.subarray(start, end), this.arenaUsed);
    const at = slot << 2;
    t[at] = h;
    t[at + 1] = this.arenaUsed;
    t[at + 2] = len;
    t[at + 3] = k + 1;
    this.arenaUsed += len;
    if (++this.byteKeys * 2 > this.byteMask) this.growBytes();
    if (this.missingKey[k]) return;
    this.counts[k]++;
    this.count++;
  }

  private growBytes(): void {
    const old = this.bytesTable;
    const size = (this.byteMask + 1) * 2;
    const t = new Int32Array(size * 4);
    const mask = size - 1;
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 3] === 0) continue;
      let slot = old[at] & mask;
      while (t[(slot << 2) + 3] !== 0) slot = (slot + 1) & mask;
      t.set(old.subarray(at, at + 4), slot << 2);
    }
    this.bytesTable = t;
    this.byteMask = mask;
  }

  /** The index of the key text[start, end), added (with a count of 0) when new. */
  private keyOf(text: string, start: number, end: number): number {
    const len = end - start;
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
        if (key.length === len && text.startsWith(key, start)) return k;
      }
      slot = (slot + 1) & this.mask;
    }
    const k = this.keys.length;
    this.keys.push(start === 0 && end === text.length ? text : text.slice(start, end));
    this.counts.push(0);
    this.hashes.push(h);
    this.missingKey.push(isMissingSpan(text, start, end));
    this.table[slot] = k;
    if (this.keys.length * 2 > this.mask) this.grow();
    return k;
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

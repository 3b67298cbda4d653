/**
 * Which labelled requests belong to the promotion gate's held-out set. The choice depends
 * only on the request id (FNV-1a, 32 bit, then murmur3's fmix32 finaliser because FNV's high
 * bits are visibly uneven on sequential ids like r-1, r-2, ...), never on order or time, so
 * every process — the
 * gate, the console, a retraining job that must not learn from these rows — agrees on the
 * same fixed subset without storing it.
 */

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    // h * 16777619 mod 2^32 without leaving the exact double range
    h = (h + (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24)) >>> 0;
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** True when the request is in the held-out share (0 = none, 1 = all). */
export function isHeldOut(requestId: string, share: number): boolean {
  if (!(share > 0)) return false;
  if (share >= 1) return true;
  return fmix32(fnv1a32(requestId)) / 4294967296 < share;
}

// Seeded pseudo-random numbers for tests, benchmarks and synthetic streams.
// mulberry32 is tiny, fast and good enough for simulation (not for cryptography);
// the same seed gives the same stream on every machine, which is what tests need.

export type Rng = () => number;

/** A uniform generator on [0, 1) from a 32-bit seed (mulberry32). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller, both values of each pair used). */
export function normalSampler(rng: Rng): (mean?: number, sd?: number) => number {
  let spare: number | null = null;
  return (mean = 0, sd = 1) => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return mean + sd * z;
    }
    // 1 - u keeps the logarithm's argument in (0, 1].
    const r = Math.sqrt(-2 * Math.log(1 - rng()));
    const theta = 2 * Math.PI * rng();
    spare = r * Math.sin(theta);
    return mean + sd * r * Math.cos(theta);
  };
}

/** 1 with probability p, else 0. */
export function bernoulli(rng: Rng, p: number): 0 | 1 {
  return rng() < p ? 1 : 0;
}

/** FNV-1a hash of a string, to derive a per-column seed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// Two-sample Kolmogorov–Smirnov test, two-sided, matching scipy.stats.ks_2samp(a, b) with its
// default method='auto' (scipy 1.10): the exact p-value when both samples have at most 10,000
// values (Hodges' lattice-path count, in Viehmann's numerically stable "1 − p" form, or the
// closed form for equal sizes), and Smirnov's asymptotic kstwo.sf(D, round(n·m/(n+m)))
// otherwise or when the exact computation leaves [0, 1].
// The statistic is a single merge pass over two sorted arrays; the p-value is a separate
// function of (D, n1, n2) so that a statistic computed from bounded samples can be paired with
// the true window sizes.
import { kolmogorovSf } from './kolmogorov.js';

export type KsMethod = 'exact' | 'asymp';

export interface KsResult {
  statistic: number;
  pValue: number;
  method: KsMethod;
}

/** scipy's MAX_AUTO_N: above this size 'auto' goes straight to the asymptotic distribution. */
export const KS_MAX_EXACT_N = 10_000;

/** sup |F_a − F_b| over two ascending arrays. */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks: both samples must be non-empty');
  let i = 0;
  let j = 0;
  let maxS = 0;
  let minS = 0;
  while (i < n1 || j < n2) {
    // next distinct value; advance both sides past it so ties are counted as scipy's side='right'
    const v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] <= v) i++;
    while (j < n2 && b[j] <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  return Math.max(maxS, -minS);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Pr(D >= h/n) for two samples of equal size n (Horner form of the alternating binomial sum). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/** Proportion of lattice paths from (0,0) to (m,n) leaving the band |x/m − y/n| < h/lcm. */
function probOutsideBand(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
  }
  return A[maxj - minj - 1];
}

/** The exact p-value, or null when scipy's exact computation would fail (it then falls back). */
function exactPValue(d: number, n1: number, n2: number): { d: number; p: number } | null {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = Math.round(d * lcm);
  const dr = h / lcm;
  if (h === 0) return { d: dr, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  if (!Number.isFinite(p) || p < 0 || p > 1) return null;
  return { d: dr, p };
}

function asymptoticPValue(d: number, n1: number, n2: number): number {
  const en = (n1 * n2) / (n1 + n2);
  return Math.min(1, Math.max(0, kolmogorovSf(Math.round(en), d)));
}

/**
 * p-value of a two-sided two-sample statistic D for sample sizes n1, n2, as ks_2samp's
 * method='auto' computes it. The returned statistic is D as scipy reports it (in exact mode
 * rounded to a multiple of 1/lcm(n1, n2), a change of ~1e-16).
 */
export function ksPValue(d: number, n1: number, n2: number): KsResult {
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = exactPValue(d, n1, n2);
    if (exact) return { statistic: exact.d, pValue: exact.p, method: 'exact' };
  }
  return { statistic: d, pValue: asymptoticPValue(d, n1, n2), method: 'asymp' };
}

/** ks_2samp on two ascending arrays (no copy, no sort). */
export function ks2sampSorted(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  return ksPValue(ksStatisticSorted(a, b), a.length, b.length);
}

/** ks_2samp on two unsorted arrays. */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  return ks2sampSorted(Float64Array.from(a).sort(), Float64Array.from(b).sort());
}

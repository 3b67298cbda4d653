/**
 * Binomial probabilities in log space, accurate in relative terms far into the tails
 * (p-values of 1e-30 and below), for the exact McNemar test.
 * The point mass uses Loader's saddle-point form (as R's dbinom does): Stirling-series
 * remainders plus a deviance term, so no large log-gamma values are subtracted.
 */

const LN_2PI = Math.log(2 * Math.PI);

/** Exact ln(k!) for small k; the products are exact in double precision up to 15!. */
function lnFactorialSmall(k: number): number {
  let f = 1;
  for (let i = 2; i <= k; i++) f *= i;
  return Math.log(f);
}

/** ln(n!) − [(n + ½)ln n − n + ½ln 2π], the Stirling-series remainder. */
export function stirlingError(n: number): number {
  if (n <= 15) {
    if (n === 0) return 0; // not used: pmf handles k = 0 and k = n separately
    return lnFactorialSmall(n) - (n + 0.5) * Math.log(n) + n - 0.5 * LN_2PI;
  }
  const nn = n * n;
  const S0 = 1 / 12;
  const S1 = 1 / 360;
  const S2 = 1 / 1260;
  const S3 = 1 / 1680;
  const S4 = 1 / 1188;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** x ln(x / np) + np − x, computed without cancellation when x ≈ np. */
export function deviance(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let s = (x - np) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / np) + np - x;
}

/** ln P(X = k) for X ~ Binomial(n, p). */
export function logBinomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n || !Number.isInteger(k)) return -Infinity;
  const q = 1 - p;
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (q === 0) return k === n ? 0 : -Infinity;
  if (k === 0) return n * Math.log(q);
  if (k === n) return n * Math.log(p);
  const lc =
    stirlingError(n) - stirlingError(k) - stirlingError(n - k) - deviance(k, n * p) - deviance(n - k, n * q);
  return lc + 0.5 * Math.log(n / (2 * Math.PI * k * (n - k)));
}

/** ln(e^a + e^b) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * ln P(X ≤ k). Sums point masses from k downwards, each as a ratio to the previous, which
 * converges quickly in the lower tail; for k above the mean the complement is summed
 * instead so the result keeps its relative accuracy near 1 as well as near 0.
 */
export function logBinomialCdf(k: number, n: number, p: number): number {
  k = Math.floor(k);
  if (k < 0) return -Infinity;
  if (k >= n) return 0;
  if (k > n * p) return Math.log1p(-Math.exp(logBinomialUpper(k + 1, n, p)));
  const odds = (1 - p) / p;
  // sum_{i<=k} pmf(i) = pmf(k) * (1 + r_k + r_k r_{k-1} + ...), r_i = pmf(i-1)/pmf(i)
  let term = 1;
  let sum = 1;
  for (let i = k; i > 0; i--) {
    term *= (i / (n - i + 1)) * odds;
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return logBinomialPmf(k, n, p) + Math.log(sum);
}

/** ln P(X ≥ k). */
export function logBinomialUpper(k: number, n: number, p: number): number {
  k = Math.ceil(k);
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  if (k < n * p) return Math.log1p(-Math.exp(logBinomialCdf(k - 1, n, p)));
  const odds = p / (1 - p);
  let term = 1;
  let sum = 1;
  for (let i = k; i < n; i++) {
    term *= ((n - i) / (i + 1)) * odds;
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return logBinomialPmf(k, n, p) + Math.log(sum);
}

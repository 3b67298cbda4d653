/**
 * autocannon in a process of its own (bench/serve.ts), so its event loop shares nothing with
 * the bench's: `node --import tsx bench/cannon.ts OPTIONS_JSON` prints one CannonResult.
 */
import autocannon, { type Options } from 'autocannon';

export interface CannonResult {
  p50: number;
  p99: number;
  max: number;
  /** Mean requests/s over the measured seconds. */
  rps: number;
  /** 2xx answers, warm-up included (the serve bench checks the log against them). */
  answered: number;
  failed: number;
}

if (process.argv[1] !== undefined && /cannon\.[tj]s$/.test(process.argv[1])) {
  const r = await autocannon(JSON.parse(process.argv[2] ?? '{}') as Options);
  const out: CannonResult = {
    p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, rps: r.requests.average,
    answered: r['2xx'] + (r.warmup?.['2xx'] ?? 0),
    failed: r.errors + r.timeouts + r.non2xx,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

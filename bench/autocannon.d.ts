// The part of autocannon's API the serve bench uses (the package ships no types).
declare module 'autocannon' {
  export interface Options {
    url: string;
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    connections?: number;
    duration?: number;
    overallRate?: number;
    ignoreCoordinatedOmission?: boolean;
    /** A run before the measured one, with its own connections and seconds; its figures are in `warmup`. */
    warmup?: { connections?: number; duration?: number };
  }
  interface Histogram { p50: number; p90: number; p99: number; average: number; max: number }
  export interface Result {
    latency: Histogram;
    requests: { average: number; total: number };
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    warmup?: Result;
  }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}

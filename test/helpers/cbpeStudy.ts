/**
 * The CBPE acceptance study of issue 12, shared by test/engine/cbpeFlights.test.ts and
 * bench/estimates.ts: a logistic regression and an MLP trained on January 2001 (as `train` does:
 * the last fifth held out, the CBPE reference fitted on it), February–March replayed without the
 * incident, the engine run over it as the console runs it, and per day the estimated accuracy
 * beside the realised one, from the snapshot the console draws.
 */
import { initBackend } from '../../src/models/backend.js';
import { trainArtifact } from '../../src/models/trainArtifact.js';
import { loadTrainingRows } from '../../src/models/trainFromCsv.js';
import type { Engine } from '../../src/engine/engine.js';
import type { EstimateWindow, ModelEstimates } from '../../src/engine/snapshot.js';
import { FLIGHTS_CSV } from '../models/flights.js';
import { FLIGHT_FEATURES, flightsStream, runEngine, isoDay, type FlightsStream } from './flightsStream.js';

export interface DayError {
  day: string;
  estimated: number;
  realised: number;
}

export interface ModelErrors {
  model: string;
  days: DayError[];
  /** Mean over days of |estimated − realised| (accuracy, fraction). */
  meanAbsError: number;
  /** Mean of estimated − realised over February's days. */
  februaryBias: number;
  /** The same over every day. */
  bias: number;
  /** Mean |realised − the two months' mean realised|: what knowing only the mean would miss per day. */
  constantOracle: number;
  /** sd of the daily realised accuracy, and the share of its variance the estimate explains (1 − var(error) / var(realised)). */
  realisedSd: number;
  explained: number;
}

/** Per-day errors of one model's estimates (complete, labelled windows only). */
export function errorsOf(e: ModelEstimates): ModelErrors {
  const days: DayError[] = e.windows
    .filter((w: EstimateWindow) => w.estimated !== null && w.realised !== null && w.labelled >= 0.95 * w.rows)
    .map((w) => ({ day: isoDay(w.start), estimated: w.estimated!, realised: w.realised! }));
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const feb = days.filter((d) => d.day.startsWith('2001-02'));
  const real = days.map((d) => d.realised);
  const err = days.map((d) => d.estimated - d.realised);
  const variance = (xs: number[]): number => { const m = mean(xs); return mean(xs.map((x) => (x - m) ** 2)); };
  const realMean = mean(real);
  return {
    model: e.model,
    days,
    meanAbsError: mean(err.map(Math.abs)),
    februaryBias: mean(feb.map((d) => d.estimated - d.realised)),
    bias: mean(err),
    constantOracle: mean(real.map((r) => Math.abs(r - realMean))),
    realisedSd: Math.sqrt(variance(real)),
    explained: 1 - variance(err) / variance(real),
  };
}

export interface CbpeStudy {
  stream: FlightsStream;
  engine: Engine;
  models: ModelErrors[];
}

/** `dir`: where the stream goes when not in a test (a bench's temp dir). */
export async function cbpeStudy(opts: { incident?: string; dir?: string } = {}): Promise<CbpeStudy> {
  await initBackend();
  const loaded = await loadTrainingRows({ data: FLIGHTS_CSV, label: 'delayed', time: 'ts', features: FLIGHT_FEATURES, until: '2001-02-01' });
  const base = { label: 'delayed', schema: loaded.schema, time: 'ts' };
  const logreg = await trainArtifact(loaded.rows, { ...base, type: 'logreg' });
  const mlp = await trainArtifact(loaded.rows, { ...base, type: 'mlp' });
  const stream = await flightsStream({
    incident: opts.incident,
    dir: opts.dir,
    models: { active: { name: 'flights-logreg', artifact: logreg }, shadow: { name: 'flights-mlp', artifact: mlp } },
  });
  const { engine } = await runEngine(stream.config);
  const s = engine.current()!;
  return { stream, engine, models: s.estimates.map(errorsOf) };
}

export function formatStudy(models: readonly ModelErrors[]): string {
  const pts = (x: number): string => `${(x * 100).toFixed(2)} pts`;
  return models.map((m) => `${m.model}: ${m.days.length} days, mean |estimated − realised| ${pts(m.meanAbsError)} (target ≤ 3), bias Feb ${pts(m.februaryBias)} (target ±2), bias Feb–Mar ${pts(m.bias)}; `
    + `daily realised accuracy sd ${pts(m.realisedSd)}, the mean alone misses ${pts(m.constantOracle)} a day, the estimate explains ${(100 * m.explained).toFixed(0)}% of the daily variance`).join('\n');
}

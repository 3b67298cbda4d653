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
}

/** Per-day errors of one model's estimates (complete, labelled windows only). */
export function errorsOf(e: ModelEstimates): ModelErrors {
  const days: DayError[] = e.windows
    .filter((w: EstimateWindow) => w.estimated !== null && w.realised !== null && w.labelled >= 0.95 * w.rows)
    .map((w) => ({ day: isoDay(w.start), estimated: w.estimated!, realised: w.realised! }));
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const feb = days.filter((d) => d.day.startsWith('2001-02'));
  return {
    model: e.model,
    days,
    meanAbsError: mean(days.map((d) => Math.abs(d.estimated - d.realised))),
    februaryBias: mean(feb.map((d) => d.estimated - d.realised)),
    bias: mean(days.map((d) => d.estimated - d.realised)),
  };
}

export interface CbpeStudy {
  stream: FlightsStream;
  engine: Engine;
  models: ModelErrors[];
}

export async function cbpeStudy(opts: { incident?: string } = {}): Promise<CbpeStudy> {
  await initBackend();
  const loaded = await loadTrainingRows({ data: FLIGHTS_CSV, label: 'delayed', time: 'ts', features: FLIGHT_FEATURES, until: '2001-02-01' });
  const base = { label: 'delayed', schema: loaded.schema, time: 'ts' };
  const logreg = await trainArtifact(loaded.rows, { ...base, type: 'logreg' });
  const mlp = await trainArtifact(loaded.rows, { ...base, type: 'mlp' });
  const stream = await flightsStream({
    incident: opts.incident,
    models: { active: { name: 'flights-logreg', artifact: logreg }, shadow: { name: 'flights-mlp', artifact: mlp } },
  });
  const { engine } = await runEngine(stream.config);
  const s = engine.current()!;
  return { stream, engine, models: s.estimates.map(errorsOf) };
}

export function formatStudy(models: readonly ModelErrors[]): string {
  const pts = (x: number): string => `${(x * 100).toFixed(2)} pts`;
  return models.map((m) => `${m.model}: ${m.days.length} days, mean |estimated − realised| ${pts(m.meanAbsError)}, bias Feb ${pts(m.februaryBias)}, bias Feb–Mar ${pts(m.bias)}`).join('\n');
}

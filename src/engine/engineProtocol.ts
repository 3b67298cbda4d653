/** Messages between the console thread (EngineHost) and the engine thread (engineWorker). */
import type { Config } from '../config.js';
import type { CommandResult, GateReport, PaceCommand, ReferenceSuggestion, RetrainOptions, Snapshot } from './snapshot.js';
import type { DemoOptions } from './operations.js';

import type { FleetSource } from '../fleet/engineFeed.js';

export interface EngineWorkerData {
  config: Config;
  notice: string | null;
  /** `--from nats://…`: the engine reads the fleet's stream instead of local files. */
  fleet?: FleetSource | null;
  /** the demo's replay control (src/engine/demoPacer.ts) */
  demo?: DemoOptions | null;
}

export type CommandCall =
  | { name: 'promote'; args: [string, { force?: boolean }?] }
  | { name: 'rollback'; args: [string?] }
  | { name: 'gatePreview'; args: [string] }
  | { name: 'retrain'; args: [RetrainOptions?] }
  | { name: 'cancelJob'; args: [string] }
  | { name: 'pace'; args: [PaceCommand] }
  | { name: 'ackAlert'; args: [string] }
  | { name: 'exportQualityRows'; args: [string, number] }
  | { name: 'setHost'; args: [string | null] }
  | { name: 'suggestReference'; args: [string] }
  | { name: 'pinReference'; args: [string, number, number] };

export type ToEngine =
  | { type: 'command'; id: number; call: CommandCall }
  | { type: 'stop' };

export type FromEngine =
  | { type: 'ready'; backend: string }
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'result'; id: number; result: CommandResult | GateReport | ReferenceSuggestion }
  | { type: 'error'; message: string }
  | { type: 'stopped' };

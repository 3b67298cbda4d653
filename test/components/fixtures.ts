/** Hand-built snapshots (the snapshot IS the console's input) and a commands object that records calls. */
import type {
  CommandResult, EngineCommands, GateFigures, GateReport, PaceCommand, ReferenceSuggestion, RetrainOptions, Snapshot, SnapshotSource,
} from '../../src/engine/snapshot.js';
import { chooseByEstimate } from '../../src/compare/choose.js';

const T0 = Date.UTC(2026, 10, 24, 22, 0, 0);

export function makeSnapshot(over: Partial<Snapshot> = {}): Snapshot {
  const hist = (a: number[], b: number[]) => ({ labels: ['0-6', '6-12', '12-18', '18-24'], reference: a, current: b });
  return {
    at: T0,
    db: '/srv/mlops/demo.sqlite',
    backend: 'wasm',
    ingest: { ratePerSec: 1234, predictions: 482_113, labels: 301_007, quarantined: 3, files: 2, caughtUp: true },
    notice: 'DEMO: simulated upstream incident from 2001-03-01 (hour shifted +6h)',
    models: [
      { name: 'flights-logreg', version: 1, alias: 'active', type: 'logreg', createdAt: T0 - 86_400_000, metrics: { accuracy: 0.8123, logLoss: 0.4321, auc: 0.705, rows: 120_000 } },
      { name: 'flights-mlp', version: 2, alias: 'shadow', type: 'mlp', createdAt: T0 - 3_600_000, metrics: { accuracy: 0.8234, logLoss: 0.4102, auc: 0.718, rows: 120_000 } },
      { name: 'flights-logreg', version: 3, alias: 'shadow', type: 'logreg', createdAt: T0 - 60_000, metrics: { accuracy: 0.7901, logLoss: 0.4688, auc: 0.602, rows: 40_000 } },
    ],
    traffic: [
      { model: 'flights-logreg@1', alias: 'active', predictions: 160_704, labelled: 100_335, coverage: 0.6244, accuracy: 0.7777, logLoss: 0.5761, auc: 0.475, estAccuracy: 0.8012 },
      { model: 'flights-mlp@2', alias: 'shadow', predictions: 160_704, labelled: 100_335, coverage: 0.6244, accuracy: 0.7911, logLoss: 0.5102, auc: 0.531, estAccuracy: 0.7944 },
      { model: 'flights-logreg@3', alias: 'shadow', predictions: 160_705, labelled: 100_337, coverage: 0.6244, accuracy: 0.8345, logLoss: 0.4680, auc: 0.602, estAccuracy: 0.8301 },
    ],
    estimates: [],
    alerts: [
      { id: 'a1', at: T0 - 120_000, kind: 'feature-drift', detector: null, subject: 'hour', level: 'drift', severity: 'page', state: 'open', updatedAt: T0 - 60_000, message: 'hour drifted: normalised Wasserstein 0.64 >= 0.10' },
      { id: 'a2', at: T0 - 60_000, kind: 'error-rate', detector: null, subject: 'flights-logreg@1', level: 'warn', severity: 'info', state: 'open', updatedAt: T0 - 60_000, message: 'error rate rose' },
    ],
    openPages: 1,
    choices: [],
    deadLetters: [],
    drift: {
      window: 'last 24h (2001-03-04)',
      rows: 17_342,
      datasetDrifted: false,
      share: 0.25,
      shareThreshold: 0.5,
      features: [
        { name: 'hour', kind: 'numeric', method: 'wasserstein', statistic: 0.6412, pValue: null, threshold: 0.1, level: 'drift', missingRate: 0, history: [0.01, 0.012, 0.009, 0.6, 0.62, 0.6412], histogram: hist([0.1, 0.4, 0.35, 0.15], [0.3, 0.1, 0.2, 0.4]), note: null },
        { name: 'distance', kind: 'numeric', method: 'wasserstein', statistic: 0.0071, pValue: null, threshold: 0.1, level: 'ok', missingRate: 0.001, history: [0.006, 0.007, 0.0071], histogram: hist([0.25, 0.25, 0.25, 0.25], [0.26, 0.24, 0.25, 0.25]), note: null },
        { name: 'origin', kind: 'categorical', method: 'jensen-shannon', statistic: 0.0312, pValue: null, threshold: 0.1, level: 'ok', missingRate: 0, history: [0.02, 0.03, 0.0312], histogram: hist([0.4, 0.3, 0.2, 0.1], [0.38, 0.32, 0.2, 0.1]), note: null },
        { name: 'dow', kind: 'categorical', method: 'chi2', statistic: 12.5, pValue: 0.0021, threshold: 0.05, level: 'warn', missingRate: 0, history: [3, 9, 12.5], histogram: hist([0.14, 0.14, 0.14, 0.58], [0.14, 0.14, 0.14, 0.58]), note: 'calendar feature: compared with the same weekday of the reference' },
      ],
    },
    pairs: [
      { active: 'flights-logreg@1', candidate: 'flights-logreg@3', n: 160_700, agreement: 0.7321, meanAbsDiff: 0.1234, labelled: 100_300, accActive: 0.7777, accCandidate: 0.8345, diff: 0.0568, ci: [0.0521, 0.0615], pValue: 1e-32, verdict: 'better', estAccActive: 0.8012, estAccCandidate: 0.8301, gate: { remaining: 7, allowed: 10, needRows: 5_000, haveRows: 20_000 } },
      { active: 'flights-logreg@1', candidate: 'flights-mlp@2', n: 160_700, agreement: 0.9012, meanAbsDiff: 0.0456, labelled: 100_300, accActive: 0.7777, accCandidate: 0.7911, diff: 0.0134, ci: [-0.002, 0.0288], pValue: 0.0871, verdict: 'no-difference', estAccActive: 0.8012, estAccCandidate: 0.7944, gate: null },
    ],
    jobs: [
      { id: 'job-7', model: 'flights-logreg', type: 'logreg', status: 'running', epoch: 4, epochs: 10, loss: 0.4711, valMetric: 0.598, valMetricName: 'auc', etaSeconds: 95, createdAt: T0 - 30_000, result: null, error: null, stopped: null },
      { id: 'job-6', model: 'flights-mlp', type: 'mlp', status: 'failed', epoch: 2, epochs: 20, loss: null, valMetric: null, valMetricName: 'auc', etaSeconds: null, createdAt: T0 - 600_000, result: null, error: 'worker ran out of memory', stopped: 'failed at epoch 2 of 20: worker ran out of memory' },
      { id: 'job-5', model: 'flights-logreg', type: 'logreg', status: 'done', epoch: 11, epochs: 12, loss: 0.4688, valMetric: 0.602, valMetricName: 'auc', etaSeconds: 0, createdAt: T0 - 900_000, result: 'flights-logreg@3', error: null, stopped: 'early stopping at epoch 11 of 12: the validation loss stopped improving' },
    ],
    events: [
      { at: T0 - 3_000_000, operator: 'alice from 10.0.0.7', action: 'promote', before: 'flights-logreg@0', after: 'flights-logreg@1', detail: 'diff +2.1 [+1.0,+3.2] p 1e-5 budget 9/10' },
    ],
    quarantine: [
      { at: T0 - 10_000, file: 'preds-0001.jsonl', line: 118, reason: 'not JSON', text: '{"ts":"2001-03-0' },
      { at: T0 - 9_000, file: 'preds-0001.jsonl', line: 207, reason: 'missing field "id"', text: '{"ts":"2001-03-02T10:00:00Z","model":"x"}' },
    ],
    ...over,
  };
}

export interface Source extends SnapshotSource { push(s: Snapshot): void }

export function source(initial: Snapshot | null): Source {
  let cur = initial;
  const listeners = new Set<(s: Snapshot) => void>();
  return {
    current: () => cur,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    push(s) {
      cur = s;
      for (const l of listeners) l(s);
    },
  };
}

export interface Call { name: string; args: unknown[] }

export interface Recorder extends EngineCommands { calls: Call[] }

/** What the engine suggests for the reference dialog: the flights MLP's first labelled week of February. */
export function defaultSuggestion(target: string): ReferenceSuggestion {
  return {
    target, from: Date.UTC(2001, 1, 1), until: Date.UTC(2001, 1, 8), labelled: 118_406, needed: 500,
    current: { source: 'training-holdout', rows: 9_871, from: Date.UTC(2001, 0, 25), until: Date.UTC(2001, 1, 1) }, error: null,
  };
}

export function recorder(gate: Partial<GateFigures> = {}, result: CommandResult = { ok: true, message: 'done' }, suggestion: (target: string) => ReferenceSuggestion = defaultSuggestion): Recorder {
  const calls: Call[] = [];
  const rec = (name: string, args: unknown[]) => {
    calls.push({ name, args });
    return Promise.resolve(result);
  };
  return {
    calls,
    promote: (target: string, opts?: { force?: boolean }) => rec('promote', [target, opts]),
    rollback: (name?: string) => rec('rollback', [name]),
    retrain: (opts?: RetrainOptions) => rec('retrain', [opts]),
    cancelJob: (id: string) => rec('cancelJob', [id]),
    pace: (cmd: PaceCommand) => rec('pace', [cmd]),
    ackAlert: (id: string) => rec('ackAlert', [id]),
    exportQualityRows: (feature: string, top: number) => rec('exportQualityRows', [feature, top]),
    setHost: (host: string | null) => rec('setHost', [host]),
    pinReference: (target: string, from: number, until: number) => rec('pinReference', [target, from, until]),
    suggestReference(target: string): Promise<ReferenceSuggestion> {
      calls.push({ name: 'suggestReference', args: [target] });
      return Promise.resolve(suggestion(target));
    },
    gatePreview(target: string): Promise<GateReport> {
      calls.push({ name: 'gatePreview', args: [target] });
      const figures: GateFigures = {
        candidate: target, active: 'flights-logreg@1', condition: 'n - o > 0.01 +/- 0.01', reliability: 0.999, bound: 'hoeffding',
        heldOutShare: 0.2, heldOutRows: 20_000, needRows: 5_000, n: 0.8345, o: 0.7777, d: 0.12, discordant: { b: 1500, c: 364 },
        mcnemarP: 1e-32, variance: null, estimate: 0.0568, interval: [0.0521, 0.0615], halfWidth: 0.0047, pass: true, refused: null,
        evaluationsAllowed: 10, evaluationsUsed: 3, remainingEvaluations: 6, freshAfterLabelId: 0, budgetRestarted: false,
        message: 'pass: candidate beats active by 5.7 pts', ...gate,
      };
      return Promise.resolve({ target, active: 'flights-logreg@1', status: 'evaluated', figures, message: figures.message });
    },
  };
}

export const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `cond` holds (polling), failing after `timeoutMs`. First frames can take a
 * while on a loaded machine (CI runs tests two at a time on two cores): a fixed sleep there
 * makes a test flaky, a deadline does not.
 */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await tick(10);
  }
}

export const count = (calls: Call[], name: string) => calls.filter((c) => c.name === name).length;

/**
 * Ten daily windows of the flights incident (2001-03-01…10) for the three models of makeSnapshot:
 * the January model falls with the shifted `hour`, the shadow retrained on March 1–7 holds;
 * ~17k requests a day, bands of ±3 sampling errors (σ 0.4 / √rows, as the engine's CBPE), labels
 * two hours late so the last window is still filling. The ranking comes from the real
 * chooseByEstimate, as the engine builds it.
 */
export function withEstimates(s: Snapshot, opts: { policy?: Snapshot['choosePolicy'] } = {}): Snapshot {
  const day = 86_400_000;
  const start0 = Date.UTC(2001, 2, 1);
  const rows = 17_300;
  const se = 3 * 0.4 / Math.sqrt(rows);
  const models: Array<{ model: string; alias: 'active' | 'shadow'; est: (i: number) => number; real: (i: number) => number; source: 'training-holdout' | 'pinned' }> = [
    { model: 'flights-logreg@1', alias: 'active', est: (i) => 0.80 - 0.004 * i, real: (i) => 0.76 - 0.006 * i, source: 'training-holdout' },
    { model: 'flights-mlp@2', alias: 'shadow', est: (i) => 0.795 - 0.004 * i, real: (i) => 0.765 - 0.005 * i, source: 'pinned' },
    { model: 'flights-logreg@3', alias: 'shadow', est: () => 0.83, real: (i) => 0.835 - (i % 2) * 0.004, source: 'training-holdout' },
  ];
  const estimates = models.map((m) => ({
    model: m.model, alias: m.alias, metric: 'accuracy' as const,
    reference: { source: m.source, rows: m.source === 'pinned' ? 16_800 : 9_871, from: Date.UTC(2001, 0, 25), until: Date.UTC(2001, 1, 1) },
    threshold: { lower: 0.74, upper: 0.86 },
    windows: Array.from({ length: 10 }, (_, i) => {
      const filling = i === 9;
      const labelled = filling ? 6_100 : rows;
      const est = m.est(i);
      return {
        start: start0 + i * day, end: start0 + (i + 1) * day, rows: filling ? 7_200 : rows, estimated: est,
        band: [est - se, est + se] as [number, number], labelled, realised: m.real(i), alert: false,
      };
    }),
  }));
  return { ...s, estimates, choices: chooseByEstimate(estimates), ...(opts.policy ? { choosePolicy: opts.policy } : {}) };
}

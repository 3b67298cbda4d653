/**
 * Training benchmark on the flights sample: logreg and MLP trained on January 2001 with the
 * features hour, dow, distance, origin, destination; held-out ROC AUC on February–March.
 * Each tfjs backend runs in its own child process (a backend is chosen once per process),
 * one after the other so they do not compete for the cores.
 *
 * Reference: scikit-learn's logistic regression on the same split and features reaches
 * AUC 0.705 (bench/sklearn_flights_auc.py, run with /usr/bin/python3); target: ours ≥ 0.69.
 *
 *   npx tsx bench/train.ts [--backends tensorflow,wasm,cpu]
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FeatureSchema } from '../src/drift/profile.js';
import type { BenchResult, BenchRow } from './types.js';

export const TARGET_AUC = 0.69;
export const SKLEARN_AUC = 0.705;
const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
const TYPES = ['logreg', 'mlp'] as const;
const DATA = fileURLToPath(new URL('../sample-data/flights-2001q1.csv.gz', import.meta.url));
const FEATURES = ['hour', 'dow', 'distance', 'origin', 'destination'];

interface Measure {
  type: (typeof TYPES)[number];
  fitSeconds: number;
  epochs: number;
  auc: number;
  logLoss: number;
  accuracy: number;
  trainRows: number;
  heldOutRows: number;
}

type ChildReport = { backend: string; skipped: string[]; measures: Measure[] };

/** Child mode: train both models on the backend forced by MLOPS_TFJS_BACKEND and print JSON. */
async function child(): Promise<void> {
  const { initBackend } = await import('../src/models/backend.js');
  const { loadTrainingRows } = await import('../src/models/trainFromCsv.js');
  const { trainModel } = await import('../src/models/train.js');
  const info = await initBackend();
  const report: ChildReport = { backend: info.name, skipped: info.skipped, measures: [] };
  if (info.name === process.env.MLOPS_TFJS_BACKEND) {
    const spec = { data: DATA, label: 'delayed', time: 'ts', features: FEATURES };
    const jan = await loadTrainingRows({ ...spec, until: '2001-02-01' });
    const later = await loadTrainingRows({ ...spec, from: '2001-02-01', until: '2001-04-01' });
    const schema: FeatureSchema = jan.schema;
    for (const type of TYPES) {
      const t = await trainModel(jan.rows, { type, label: 'delayed', schema, holdout: later.rows });
      t.model.dispose();
      report.measures.push({
        type,
        fitSeconds: t.fitSeconds,
        epochs: t.epochsRun,
        auc: t.metrics.auc!,
        logLoss: t.metrics.logLoss,
        accuracy: t.metrics.accuracy,
        trainRows: t.fitRows,
        heldOutRows: t.metrics.rows,
      });
    }
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function runChild(backend: string): Promise<ChildReport> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url), '--child'],
    { env: { ...process.env, MLOPS_TFJS_BACKEND: backend }, maxBuffer: 1 << 20 },
  );
  const last = stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as ChildReport;
}

const pad = (s: string, n: number) => s.padEnd(n);

export async function main(opts: { backends?: string[] } = {}): Promise<BenchResult> {
  const backends = opts.backends ?? [...BACKENDS];
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  console.log('bench/train: January 2001 → held-out February–March, features ' + FEATURES.join(', '));
  console.log(`${pad('backend', 11)}${pad('model', 8)}${pad('fit s', 8)}${pad('epochs', 8)}${pad('s/epoch', 9)}${pad('AUC', 8)}${pad('log loss', 10)}accuracy`);
  for (const backend of backends) {
    const report = await runChild(backend);
    if (report.backend !== backend) {
      const why = report.skipped.find((s) => s.startsWith(`${backend}:`)) ?? 'not available';
      console.log(`${pad(backend, 11)}unavailable (see below)`);
      notes.push(`${backend} backend unavailable: ${why.replace(`${backend}: `, '')}`);
      continue;
    }
    for (const m of report.measures) {
      console.log(
        `${pad(backend, 11)}${pad(m.type, 8)}${pad(m.fitSeconds.toFixed(1), 8)}${pad(String(m.epochs), 8)}` +
          `${pad((m.fitSeconds / m.epochs).toFixed(2), 9)}${pad(m.auc.toFixed(4), 8)}${pad(m.logLoss.toFixed(4), 10)}${m.accuracy.toFixed(4)}`,
      );
      rows.push({ metric: `${m.type} training on January (${m.trainRows} rows), ${backend}`, value: m.fitSeconds, unit: 's' });
      rows.push({
        metric: `${m.type} held-out AUC Feb–Mar (${m.heldOutRows} rows), ${backend}`,
        value: m.auc,
        unit: 'AUC',
        baseline: SKLEARN_AUC,
        ratio: m.auc / SKLEARN_AUC,
        target: `>= ${TARGET_AUC} (sklearn logreg ${SKLEARN_AUC})`,
        met: m.auc >= TARGET_AUC,
      });
    }
  }
  for (const note of notes) console.log(note);
  console.log(`reference: scikit-learn logistic regression AUC ${SKLEARN_AUC} (bench/sklearn_flights_auc.py); target ≥ ${TARGET_AUC}`);
  return { name: 'train', rows, notes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--child')) await child();
  else {
    const i = process.argv.indexOf('--backends');
    await main(i > 0 ? { backends: process.argv[i + 1]!.split(',') } : {});
  }
}

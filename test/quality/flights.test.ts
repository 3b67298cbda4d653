/**
 * Issue 16's acceptance on the real flights data: January's logistic regression scores
 * February–March replayed with corruption injected in March (`hour` random in 15% of rows,
 * `origin` garbled in another 10%), ingested by the real CLI, rules inferred from January by
 * `quality rules`, the report read from `quality --json`, rows from `quality export`. The
 * "measured" figures are made here by actually cleaning: putting the true values back and
 * re-scoring with the same model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../store/db.js';
import { scoredRows, qualityFlagsOf, type ScoredRow } from '../../store/quality.js';
import { loadPredictor, type Predictor } from '../../src/models/predictor.js';
import { mulberry32 } from '../../src/util/random.js';
import { isHeldOut } from '../../src/compare/heldOut.js';
import { flightsStream, type FlightsStream } from '../helpers/flightsStream.js';
import { corruptFlights, type CorruptedFlights } from '../helpers/corruptFlights.js';
import { tempDir } from '../helpers/tmp.js';
import type { QualityReport, ExportRow } from '../../src/quality/report.js';

const BIN = fileURLToPath(new URL('../../bin/mlops-tui.js', import.meta.url));
const cli = (args: string[]): string => execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });

// Top level, not in a before() hook: temp dirs are removed when the file ends, not after a hook.
const dir = tempDir('mlops-quality-');
const corrupted: CorruptedFlights = await corruptFlights(dir);
const stream: FlightsStream = await flightsStream({ data: corrupted.csv });
cli(['ingest', '--once', '--quiet', '--db', stream.dbPath, '--watch', stream.logs]);
const config = join(dir, 'mlops.config.json');
const wrote = cli(['quality', 'rules', '--from', 'flights@1', '--config', config, '--db', stream.dbPath]);
const report = JSON.parse(cli(['quality', '--json', '--config', config, '--db', stream.dbPath])) as QualityReport;
const rows: ScoredRow[] = (() => {
  const db = openDb(stream.dbPath, { readonly: true });
  try {
    return scoredRows(db, 'flights', 1);
  } finally {
    db.close();
  }
})();
const predictor: Predictor = await loadPredictor(stream.january);

test('quality rules --from writes the rules inferred from January into the config file it creates', () => {
  assert.match(wrote, /wrote 5 rules inferred from flights@1/);
  const cfg = JSON.parse(readFileSync(config, 'utf8')) as { quality: { reference: string; rules: Record<string, { type: string; min?: number; max?: number; categories?: string[] }> } };
  assert.equal(cfg.quality.reference, 'flights@1');
  assert.deepEqual([cfg.quality.rules.hour!.min, cfg.quality.rules.hour!.max], [0, 23], JSON.stringify(cfg.quality.rules.hour));
  assert.ok(cfg.quality.rules.origin!.categories!.includes('PHX'));
});

/** Accuracy over every labelled row, with the given rows' features replaced. */
function correctCount(subset: readonly ScoredRow[], fix: (id: string, f: Record<string, unknown>) => Record<string, unknown>): number {
  const labelled = subset.filter((r) => r.label !== null);
  const feats = labelled.map((r) => fix(r.requestId, JSON.parse(r.features) as Record<string, unknown>));
  const out = predictor.predict(feats);
  let c = 0;
  for (let i = 0; i < labelled.length; i++) if (String(out.prediction[i]) === String(JSON.parse(labelled[i]!.label!))) c++;
  return c;
}

const withTrue = (c: CorruptedFlights, only?: Set<string>) => (id: string, f: Record<string, unknown>): Record<string, unknown> => {
  if (only && !only.has(id)) return f;
  if (c.hour.has(id)) return { ...f, hour: Number(c.hour.get(id)) };
  if (c.origin.has(id)) return { ...f, origin: c.origin.get(id) };
  return f;
};

test('the ranking names hour first and origin below it', () => {
  const names = report.features.map((f) => f.feature);
  assert.equal(names[0], 'hour');
  assert.ok(names.indexOf('origin') > 0, `origin ranked below hour: ${names.join(', ')}`);
  const hour = report.features[0]!;
  assert.equal(hour.gain.basis, 'labels');
  assert.ok(hour.gain.value! > 0.02, `cleaning hour buys accuracy: ${hour.gain.value}`);
  assert.ok(hour.cost.realised!.cost! > 0, 'hour violations cost accuracy');
});

test('the estimated gain of cleaning hour is within its interval of the gain measured by cleaning and re-scoring', (t) => {
  const hour = report.features.find((f) => f.feature === 'hour')!;
  const labelled = rows.filter((r) => r.label !== null).length;
  assert.equal(labelled, report.labelled);
  const hourRows = rows.filter((r) => corrupted.hour.has(r.requestId));
  const measured = (correctCount(hourRows, withTrue(corrupted)) - correctCount(hourRows, (_id, f) => f)) / labelled;
  const [lo, hi] = hour.gain.ci!;
  t.diagnostic(`hour: estimated gain ${hour.gain.value!.toFixed(4)} [${lo.toFixed(4)}, ${hi.toFixed(4)}], measured ${measured.toFixed(4)}`);
  assert.ok(measured >= lo && measured <= hi, `measured ${measured} within [${lo}, ${hi}]`);
});

test('rules inferred from January accept clean February rows and flag every injected row', (t) => {
  const db = openDb(stream.dbPath, { readonly: true });
  try {
    const flags = qualityFlagsOf(db, 'flights', 1);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const march = Date.parse('2001-03-01T00:00:00Z');
    const feb = rows.filter((r) => r.ts < march);
    const febFlagged = new Set(flags.filter((f) => byId.get(f.predictionId)!.ts < march).map((f) => f.predictionId));
    const fpRate = febFlagged.size / feb.length;
    t.diagnostic(`false-positive rate on clean February: ${febFlagged.size} of ${feb.length} rows (${(fpRate * 100).toFixed(3)}%)`);
    assert.ok(fpRate < 0.001, `false-positive rate ${fpRate} below 0.1%`);
    const flagged = new Map<string, Set<string>>();
    for (const f of flags) {
      const id = byId.get(f.predictionId)!.requestId;
      (flagged.get(id) ?? flagged.set(id, new Set()).get(id)!).add(`${f.feature}:${f.kind}`);
    }
    for (const id of corrupted.hour.keys()) assert.ok(flagged.get(id)?.has('hour:range'), `${id} hour flagged`);
    for (const id of corrupted.origin.keys()) assert.ok(flagged.get(id)?.has('origin:category'), `${id} origin flagged`);
    t.diagnostic(`injected: ${corrupted.hour.size} hour, ${corrupted.origin.size} origin; all flagged`);
  } finally {
    db.close();
  }
});

test('cleaning the top-ranked 10% of corrupted rows recovers more lost accuracy than a random 10% (ActiveClean)', (t) => {
  const corruptedIds = [...corrupted.hour.keys(), ...corrupted.origin.keys()];
  const n = Math.round(corruptedIds.length * 0.1);
  const exported = cli(['quality', 'export', '--top', String(n), '--config', config, '--db', stream.dbPath]).trim().split('\n').map((l) => JSON.parse(l) as ExportRow);
  assert.equal(exported.length, n);
  for (let i = 1; i < exported.length; i++) assert.ok(exported[i - 1]!.priority >= exported[i]!.priority, 'highest priority first');
  const top = new Set(exported.map((r) => r.requestId));
  const rng = mulberry32(99);
  const shuffled = [...corruptedIds];
  for (let i = shuffled.length - 1; i > 0; i--) { const j = Math.floor(rng() * (i + 1)); [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]; }
  const random = new Set(shuffled.slice(0, n));
  const now = correctCount(rows, (_id, f) => f);
  const lost = correctCount(rows, withTrue(corrupted)) - now;
  const byTop = correctCount(rows, withTrue(corrupted, top)) - now;
  const byRandom = correctCount(rows, withTrue(corrupted, random)) - now;
  t.diagnostic(`lost ${lost} correct rows; cleaning the top ${n} recovers ${byTop}, a random ${n} recovers ${byRandom} (ratio ${(byTop / byRandom).toFixed(2)})`);
  assert.ok(byTop > byRandom, 'the ranked rows recover more');
});

test('quality export --feature hour only lists hour violations', () => {
  const out = cli(['quality', 'export', '--feature', 'hour', '--top', '20', '--config', config, '--db', stream.dbPath]).trim().split('\n').map((l) => JSON.parse(l) as ExportRow);
  assert.equal(out.length, 20);
  for (const r of out) {
    assert.ok(r.flagged.includes('hour'));
    assert.ok(corrupted.hour.has(r.requestId));
  }
});

test('retrain --violations exclude leaves the flagged rows out and reports the change on the held-out rows against keeping them', (t) => {
  const since = '2001-03-01';
  const until = '2001-03-15';
  const out = cli(['retrain', '--since', since, '--until', until, '--violations', 'exclude', '--wait', '--json', '--config', config, '--db', stream.dbPath]);
  const job = JSON.parse(out) as { status: string; log: string; metrics: { accuracy: number; logLoss: number; violations: { mode: string; flagged: number; changed: number; kept: { accuracy: number; logLoss: number; rows: number } }; rows: number } };
  assert.equal(job.status, 'done');
  const v = job.metrics.violations;
  assert.equal(v.mode, 'exclude');
  // the flagged rows among those fitted on: corrupted requests of the span outside the gate's held-out set
  const from = Date.parse(`${since}T00:00:00Z`);
  const to = Date.parse(`${until}T00:00:00Z`);
  const expected = rows.filter((r) => r.label !== null && r.ts >= from && r.ts < to && !isHeldOut(r.requestId, stream.config.gate.heldOutShare)
    && (corrupted.hour.has(r.requestId) || corrupted.origin.has(r.requestId))).length;
  assert.equal(v.flagged, expected);
  assert.equal(v.changed, expected, 'every flagged row left out');
  assert.equal(v.kept.rows, job.metrics.rows, 'both models judged on the same held-out rows');
  assert.match(job.log, /flagged rows left out accuracy [\d.]+, log loss [\d.]+; kept accuracy [\d.]+, log loss [\d.]+ \(accuracy [+-][\d.]+, log loss [+-][\d.]+\)/);
  t.diagnostic(`held-out: excluded accuracy ${job.metrics.accuracy.toFixed(4)} log loss ${job.metrics.logLoss.toFixed(4)}; kept accuracy ${v.kept.accuracy.toFixed(4)} log loss ${v.kept.logLoss.toFixed(4)} (${v.flagged} flagged rows)`);
});

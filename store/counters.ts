/**
 * Row counters for `status` (issue 14): predictions and labelled predictions per model version,
 * labels, quarantined lines and distinct requests, without counting 10^6 rows on every call.
 *
 * Counted by rowid cursors, not per insert: `row_counts` holds the counts of every row up to
 * its cursors, and the rows above a cursor are the delta. Each writer transaction (the file
 * ingest, the fleet ingest) ends with `catchUpCounts`, which aggregates its new rows in SQL
 * (GROUP BY model, version) and applies one UPSERT per key, in the same transaction: a crash
 * keeps rows and counts together, a duplicate or an ignored conflict adds no row and so no
 * count, and any other writer (a fixture, an older build) is counted by the next catch-up or
 * seen as the delta by a reader. Triggers maintaining the same counts per row made inserts 75%
 * slower; one aggregate over a batch's rows costs a few percent.
 *
 * "Labelled" pairs a prediction with the label of its request; a pair is counted once, when
 * the later of the two is counted: a new prediction with a label already counted, a new label
 * with every prediction of its request. Retention subtracts what it deletes the same way
 * (`uncount`), after a catch-up, so the counts always equal a full COUNT (`check` verifies it).
 * Rowids only grow: retention never deletes the newest row of a table (store/retention.ts).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

export interface ModelCount { model: string; version: number; predictions: number; labelled: number }

export interface RowCounts {
  predictions: number;
  labels: number;
  quarantined: number;
  requests: number;
  models: ModelCount[];
}

interface Cursors { predictions: number; labels: number; quarantine: number }
interface State extends Cursors { labelsN: number; quarantinedN: number; requests: number }

/** What the rows above the cursors add: per model version, and the scalar counts. */
interface Delta {
  models: ModelCount[];
  labels: number;
  quarantined: number;
  requests: number;
  to: Cursors;
}

const key = (m: { model: string; version: number }): string => `${m.version}\u0000${m.model}`;

/** Prepared once per connection: the writer calls them at every commit. */
const prepared = new WeakMap<Db, Record<string, Statement>>();

function stmts(db: Db): Record<string, Statement> {
  let s = prepared.get(db);
  if (s !== undefined) return s;
  s = {
    state: db.prepare(`SELECT prediction_cursor AS predictions, label_cursor AS labels, quarantine_cursor AS quarantine,
      labels AS labelsN, quarantined AS quarantinedN, requests FROM row_counts WHERE id = 1`),
    maxIds: db.prepare(`SELECT (SELECT coalesce(max(id), 0) FROM predictions) AS predictions, (SELECT coalesce(max(id), 0) FROM labels) AS labels,
      (SELECT coalesce(max(id), 0) FROM quarantine) AS quarantine`),
    // new predictions per model version (when the writer did not say how many it inserted)
    newPreds: db.prepare(`SELECT model, version, count(*) AS predictions, 0 AS labelled
      FROM predictions p WHERE p.id > :pc AND p.id <= :pto GROUP BY model, version`),
    // new predictions labelled by a label counted before (a label new here counts its pairs below);
    // the condition is in WHERE so that only the matches are grouped: labels mostly come later
    newPredsLabelled: db.prepare(`SELECT model, version, 0 AS predictions, count(*) AS labelled
      FROM predictions p WHERE p.id > :pc AND p.id <= :pto AND EXISTS (SELECT 1 FROM labels l WHERE l.request_id = p.request_id AND l.id <= :lc)
      GROUP BY model, version`),
    // a request is new when its first prediction is: counted without a DISTINCT over the rows
    newRequests: db.prepare(`SELECT count(*) FROM predictions p WHERE p.id > :pc AND p.id <= :pto
      AND NOT EXISTS (SELECT 1 FROM predictions q WHERE q.request_id = p.request_id AND q.id < p.id)`).pluck(),
    // new labels: one pair with every prediction of the request, old or new
    newLabelPairs: db.prepare(`SELECT p.model, p.version, 0 AS predictions, count(*) AS labelled
      FROM labels l JOIN predictions p ON p.request_id = l.request_id AND p.id <= :pto
      WHERE l.id > :lc AND l.id <= :lto GROUP BY p.model, p.version`),
    countRange: db.prepare('SELECT (SELECT count(*) FROM labels WHERE id > :lc AND id <= :lto) AS labels, (SELECT count(*) FROM quarantine WHERE id > :qc AND id <= :qto) AS quarantined'),
    upsertModel: db.prepare(`INSERT INTO traffic_counts (model, version, predictions, labelled) VALUES (?, ?, ?, ?)
      ON CONFLICT (model, version) DO UPDATE SET predictions = predictions + excluded.predictions, labelled = labelled + excluded.labelled`),
    setState: db.prepare(`UPDATE row_counts SET prediction_cursor = ?, label_cursor = ?, quarantine_cursor = ?,
      labels = labels + ?, quarantined = quarantined + ?, requests = requests + ? WHERE id = 1`),
    // the same two questions asked once per request of a writer's batch (its ids as a JSON array)
    // instead of once per row: requests with no earlier prediction, and those with a label counted before
    freshRequests: db.prepare(`SELECT count(*) FROM json_each(:ids) j
      WHERE NOT EXISTS (SELECT 1 FROM predictions q WHERE q.request_id = j.value AND q.id <= :pc)`).pluck(),
    labelledRequests: db.prepare(`SELECT j.value FROM json_each(:ids) j
      WHERE EXISTS (SELECT 1 FROM labels l WHERE l.request_id = j.value AND l.id <= :lc)`).pluck(),
    models: db.prepare('SELECT model, version, predictions, labelled FROM traffic_counts WHERE predictions > 0 ORDER BY model, version'),
    dropEmpty: db.prepare('DELETE FROM traffic_counts WHERE predictions <= 0'),
    // what deleting a prefix of a table takes away (the rows up to :last, all counted)
    goingPreds: db.prepare(`SELECT model, version, -count(*) AS predictions,
      -coalesce(sum(EXISTS (SELECT 1 FROM labels l WHERE l.request_id = p.request_id)), 0) AS labelled
      FROM predictions p WHERE p.id <= :last GROUP BY model, version`),
    goingRequests: db.prepare(`SELECT count(DISTINCT request_id) FROM predictions p WHERE p.id <= :last
      AND NOT EXISTS (SELECT 1 FROM predictions q WHERE q.request_id = p.request_id AND q.id > :last)`).pluck(),
    goingLabelPairs: db.prepare(`SELECT p.model, p.version, 0 AS predictions, -count(*) AS labelled
      FROM labels l JOIN predictions p ON p.request_id = l.request_id WHERE l.id <= :last GROUP BY p.model, p.version`),
    goingLabels: db.prepare('SELECT count(*) FROM labels WHERE id <= :last').pluck(),
    goingQuarantine: db.prepare('SELECT count(*) FROM quarantine WHERE id <= :last').pluck(),
  };
  prepared.set(db, s);
  return s;
}

/** Whether the database has the counters (a read-only look at a database of an older schema has not). */
export function hasCounters(db: Db): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'row_counts'").get() !== undefined;
}

/**
 * What the rows above the cursors add. `tally`: what the caller inserted in this transaction,
 * used (instead of reading the rows again) when its rows are all the rows above the cursor:
 * rowids are max+1, so that many rows between the cursor and the newest row are the caller's.
 */
function delta(s: Record<string, Statement>, from: State, tally?: PredictionTally): Delta {
  const to = s.maxIds.get() as Cursors;
  const models: ModelCount[] = [];
  let requests = 0;
  if (to.predictions > from.predictions) {
    const range = { pc: from.predictions, pto: to.predictions };
    if (tally !== undefined && tally.total === to.predictions - from.predictions) {
      models.push(...tally.counts);
      const ids = tally.requestIds();
      requests = s.freshRequests.get({ ids, pc: from.predictions }) as number;
      const labelled = new PredictionTally();
      for (const id of s.labelledRequests.all({ ids, lc: from.labels }) as string[]) {
        for (const m of tally.ofRequest(id)) labelled.add(m.model, m.version, id);
      }
      models.push(...labelled.counts.map((m) => ({ ...m, predictions: 0, labelled: m.predictions })));
    } else {
      models.push(...s.newPreds.all(range) as ModelCount[]);
      models.push(...s.newPredsLabelled.all({ ...range, lc: from.labels }) as ModelCount[]);
      requests = s.newRequests.get(range) as number;
    }
  }
  if (to.labels > from.labels) models.push(...s.newLabelPairs.all({ lc: from.labels, lto: to.labels, pto: to.predictions }) as ModelCount[]);
  const rows = (to.labels > from.labels || to.quarantine > from.quarantine)
    ? s.countRange.get({ lc: from.labels, lto: to.labels, qc: from.quarantine, qto: to.quarantine }) as { labels: number; quarantined: number }
    : { labels: 0, quarantined: 0 };
  return { models, requests, labels: rows.labels, quarantined: rows.quarantined, to };
}

/**
 * A table emptied other than by retention (which keeps the newest row) hands out rowids below
 * its cursor again: the counts start over from the rows.
 */
function behind(to: Cursors, from: Cursors): boolean {
  return to.predictions < from.predictions || to.labels < from.labels || to.quarantine < from.quarantine;
}

function recount(db: Db): void {
  const c = fullRowCounts(db);
  const to = stmts(db).maxIds.get() as Cursors;
  db.prepare('DELETE FROM traffic_counts').run();
  const ins = db.prepare('INSERT INTO traffic_counts (model, version, predictions, labelled) VALUES (?, ?, ?, ?)');
  for (const m of c.models) ins.run(m.model, m.version, m.predictions, m.labelled);
  db.prepare(`UPDATE row_counts SET prediction_cursor = ?, label_cursor = ?, quarantine_cursor = ?, labels = ?, quarantined = ?, requests = ?
    WHERE id = 1`).run(to.predictions, to.labels, to.quarantine, c.labels, c.quarantined, c.requests);
}

/** Adds per model version, one entry per key. */
function merge(into: Map<string, ModelCount>, add: readonly ModelCount[]): Map<string, ModelCount> {
  for (const m of add) {
    const k = key(m);
    const cur = into.get(k);
    if (cur === undefined) into.set(k, { model: m.model, version: m.version, predictions: m.predictions, labelled: m.labelled });
    else { cur.predictions += m.predictions; cur.labelled += m.labelled; }
  }
  return into;
}

function apply(s: Record<string, Statement>, models: Iterable<ModelCount>, state: { to: Cursors; labels: number; quarantined: number; requests: number }): void {
  for (const m of models) {
    if (m.predictions !== 0 || m.labelled !== 0) s.upsertModel.run(m.model, m.version, m.predictions, m.labelled);
  }
  s.setState.run(state.to.predictions, state.to.labels, state.to.quarantine, state.labels, state.quarantined, state.requests);
}

/**
 * Counts the rows above the cursors and moves the cursors to the newest rows. Call inside the
 * writer's transaction, after its inserts, with the tally of the predictions it inserted when
 * it kept one.
 */
export function catchUpCounts(db: Db, tally?: PredictionTally): void {
  const s = stmts(db);
  const from = s.state.get() as State;
  const d = delta(s, from, tally);
  if (behind(d.to, from)) {
    recount(db);
    return;
  }
  if (d.to.predictions === from.predictions && d.to.labels === from.labels && d.to.quarantine === from.quarantine) return;
  apply(s, merge(new Map(), d.models).values(), d);
}

/**
 * The counts of every row now: the stored counts plus the rows above the cursors (none when
 * the last writer caught up; a read-only reader cannot move the cursors itself).
 */
export function rowCounts(db: Db): RowCounts {
  const s = stmts(db);
  return db.transaction(() => {
    const from = s.state.get() as State;
    const d = delta(s, from);
    if (behind(d.to, from)) return fullRowCounts(db);
    const models = [...merge(merge(new Map(), s.models.all() as ModelCount[]), d.models).values()]
      .filter((m) => m.predictions > 0)
      .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : a.version - b.version));
    return {
      predictions: models.reduce((n, m) => n + m.predictions, 0),
      labels: from.labelsN + d.labels,
      quarantined: from.quarantinedN + d.quarantined,
      requests: from.requests + d.requests,
      models,
    };
  })();
}

/**
 * Takes out of the counts the rows of `table` up to `last` that are about to be deleted
 * (retention deletes prefixes). Call inside the deleting transaction, before the DELETE.
 */
export function uncount(db: Db, table: 'predictions' | 'labels' | 'quarantine', last: number): void {
  catchUpCounts(db);
  const s = stmts(db);
  const st = s.state.get() as State;
  const to: Cursors = { predictions: st.predictions, labels: st.labels, quarantine: st.quarantine };
  if (table === 'predictions') {
    const requests = -(s.goingRequests.get({ last }) as number);
    apply(s, s.goingPreds.all({ last }) as ModelCount[], { to, labels: 0, quarantined: 0, requests });
    s.dropEmpty.run();
  } else if (table === 'labels') {
    apply(s, s.goingLabelPairs.all({ last }) as ModelCount[], { to, labels: -(s.goingLabels.get({ last }) as number), quarantined: 0, requests: 0 });
  } else {
    apply(s, [], { to, labels: 0, quarantined: -(s.goingQuarantine.get({ last }) as number), requests: 0 });
  }
}

/**
 * The same counts by full COUNTs over the tables: the reference `check` compares the counters
 * with, and what `status` reads on a database of an older schema opened read-only.
 */
export function fullRowCounts(db: Db): RowCounts {
  const one = (sql: string): number => (db.prepare(sql).pluck().get() as number) ?? 0;
  const models = db.prepare(`SELECT p.model, p.version, count(*) AS predictions, count(l.request_id) AS labelled
    FROM predictions p LEFT JOIN labels l ON l.request_id = p.request_id
    GROUP BY p.model, p.version ORDER BY p.model, p.version`).all() as ModelCount[];
  return {
    predictions: models.reduce((n, m) => n + m.predictions, 0),
    labels: one('SELECT count(*) FROM labels'),
    quarantined: one('SELECT count(*) FROM quarantine'),
    requests: one('SELECT count(DISTINCT request_id) FROM predictions'),
    models,
  };
}

/** Predictions inserted, tallied by a writer as it inserts (for `catchUpCounts`): per model version and per request. */
export class PredictionTally {
  // by model, then version: no key string built per row
  private readonly byModel = new Map<string, Map<number, ModelCount>>();
  private readonly byRequest = new Map<string, ModelCount[]>();
  total = 0;

  add(model: string, version: number, requestId: string): void {
    let versions = this.byModel.get(model);
    if (versions === undefined) this.byModel.set(model, versions = new Map());
    let cur = versions.get(version);
    if (cur === undefined) versions.set(version, cur = { model, version, predictions: 0, labelled: 0 });
    cur.predictions++;
    this.total++;
    const ofRequest = this.byRequest.get(requestId);
    if (ofRequest === undefined) this.byRequest.set(requestId, [cur]);
    else ofRequest.push(cur);
  }

  get counts(): ModelCount[] {
    return [...this.byModel.values()].flatMap((v) => [...v.values()]);
  }

  /** The model versions of the predictions inserted for a request, one entry per prediction. */
  ofRequest(requestId: string): readonly ModelCount[] {
    return this.byRequest.get(requestId) ?? [];
  }

  /** The requests, as a JSON array for json_each. */
  requestIds(): string {
    return JSON.stringify([...this.byRequest.keys()]);
  }
}

/**
 * Issue 12, "alerts that resolve": the demo's replay (logreg active and MLP shadow trained on
 * January; February–March with the simulated hour incident from March 1) ends with a handful of
 * page episodes a person would want, each resolved or open for a reason, and none from River's
 * detectors (info). Prints the counts by kind and severity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listEpisodes } from '../../store/alertEpisodes.js';
import { cbpeStudy } from '../helpers/cbpeStudy.js';
import { openDb } from '../../store/db.js';
import { choiceAgreement } from '../../src/compare/choose.js';

const study = await cbpeStudy({ incident: 'hour+6h@2001-03-01' });
test.after(() => study.engine.stop());

test('at most 15 page episodes over the two months, none from River detectors; the hour incident pages', () => {
  const db = openDb(study.stream.dbPath, { readonly: true });
  const all = listEpisodes(db, { all: true, limit: 10_000 });
  db.close();
  const counts = new Map<string, number>();
  for (const e of all) counts.set(`${e.severity} ${e.kind}`, (counts.get(`${e.severity} ${e.kind}`) ?? 0) + 1);
  console.log([...counts].sort().map(([k, n]) => `${k}: ${n}`).join('\n'));
  for (const e of all.filter((x) => x.severity === 'page')) {
    console.log(`page ${e.kind} ${e.subject} windows ${new Date(e.firstWindow * 86_400_000).toISOString().slice(0, 10)}..${new Date(e.lastWindow * 86_400_000).toISOString().slice(0, 10)} ${e.state} ${e.resolution ?? ''}`);
  }
  const pages = all.filter((e) => e.severity === 'page');
  assert.ok(pages.length <= 15, `${pages.length} page episodes`);
  assert.equal(pages.filter((e) => e.kind === 'error-rate').length, 0);
  assert.ok(all.some((e) => e.kind === 'error-rate' && e.severity === 'info'), 'River detectors still show, as info');
  const hour = pages.find((e) => e.kind === 'feature-drift' && e.subject === 'hour');
  assert.ok(hour, 'the hour incident pages');
  assert.ok(new Date(hour.firstWindow * 86_400_000).toISOString() >= '2001-03-01');
  // Every resolved episode says why.
  for (const e of all.filter((x) => x.state === 'resolved')) assert.match(e.resolution ?? '', /clear for \d+ windows/);
});

test('label-free choice per day (logreg vs MLP) against the choice the labels made, with the incident (reported)', () => {
  const a = choiceAgreement(study.engine.current()!.choices);
  console.log(`label-free choice, with the incident: agreed with the labels on ${a.agreed} of ${a.windows} days; confident on ${a.confident}, of which ${a.confidentAgreed} agreed`);
  assert.ok(a.windows >= 55, String(a.windows));
});

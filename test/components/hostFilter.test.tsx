// The host filter at the screen (issue 17): `H` asks the engine for the next host, the header
// names the filter and says what the current screen shows for it, the screens draw the host's
// figures, fleet-wide screens say so, and the Drift screen's hosts view names the replica that
// differs (Enter filters on the selected host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostsStatus, Snapshot } from '../../src/engine/snapshot.js';
import { makeSnapshot } from './fixtures.js';
import { KEY, open, selectedLine } from './harness.js';

const T0 = Date.UTC(2026, 10, 24, 22, 0, 0);

function fleet(selected: string | null): Snapshot {
  const s = makeSnapshot({ notice: null });
  const hostDrift = { ...s.drift, rows: 4_321, features: s.drift.features.map((f) => (f.name === 'distance' ? { ...f, statistic: 0.9876, level: 'drift' as const } : f)) };
  const hosts: HostsStatus = {
    selected,
    list: [
      { host: 'web-1', predictions: 80_000, labels: 50_000, quarantined: 1, updatedAt: T0 - 5_000 },
      { host: 'web-2', predictions: 80_001, labels: 50_001, quarantined: 2, updatedAt: T0 - 4_000 },
      { host: 'web-3', predictions: 79_999, labels: 49_999, quarantined: 0, updatedAt: T0 - 3_000 },
    ],
    drift: [
      { model: 'flights-logreg', host: 'web-1', rows: 2000, drifted: false, features: [{ feature: 'distance', method: 'wasserstein', statistic: 0.02, level: 'ok', against: [] }] },
      { model: 'flights-logreg', host: 'web-2', rows: 2000, drifted: true, features: [{ feature: 'distance', method: 'wasserstein', statistic: 0.9876, level: 'drift', against: ['web-1', 'web-3'] }] },
      { model: 'flights-logreg', host: 'web-3', rows: 2000, drifted: false, features: [{ feature: 'distance', method: 'wasserstein', statistic: 0.03, level: 'ok', against: [] }] },
    ],
    driftAt: T0 - 10_000,
    driftRows: 2000,
    view: selected === null ? null : {
      host: selected,
      traffic: [{ model: 'flights-logreg@1', alias: 'active', predictions: 80_001, labelled: 50_001, coverage: 0.625, accuracy: 0.6123, logLoss: 0.7, auc: 0.51, estAccuracy: 0.7 }],
      estimates: [],
      drift: hostDrift,
      quarantine: [{ at: T0 - 1_000, file: 'web-2:/var/log/p.jsonl', line: 9, reason: 'only on web-2', text: '{' }],
      caughtUp: true,
    },
  };
  return { ...s, hosts };
}

test('H asks the engine for the next host: the fleet, then each host in turn, then the fleet again', async () => {
  const h = await open({ snapshot: fleet(null) });
  assert.doesNotMatch(h.frame(), /HOST /, 'no filter, no host in the header');
  await h.press('H');
  h.src.push(fleet('web-1'));
  await h.waitFor(/HOST web-1/);
  await h.press('H');
  h.src.push(fleet('web-3'));
  await h.waitFor(/HOST web-3/);
  await h.press('H');
  assert.deepEqual(h.commands.calls.filter((c) => c.name === 'setHost').map((c) => c.args[0]), ['web-1', 'web-2', null]);
  await h.press('?');
  assert.match(h.frame(), /H +host filter: next serving host, then all/, 'the help overlay lists it');
  h.unmount();
});

test('H with one source of lines says there is no other host, and asks the engine for nothing', async () => {
  const s = fleet(null);
  s.hosts!.list = [{ host: '(local files)', predictions: 500, labels: 0, quarantined: 1, updatedAt: T0 }];
  const h = await open({ snapshot: s });
  await h.press('H');
  assert.match(h.frame(), /Every line comes from \(local files\): no other host to filter on\./);
  assert.equal(h.commands.calls.filter((c) => c.name === 'setHost').length, 0);
  h.unmount();
});

test('filtered on a host: the header names it, the screens draw its figures, fleet-wide screens say so', async () => {
  const h = await open({ snapshot: fleet('web-2'), columns: 120, rows: 30 });
  let f = h.frame();
  assert.match(f, /HOST web-2 80\.0k preds │ fleet: 1234 lines\/s │ 482k preds/);
  assert.match(f, /host web-2 · models and accuracy of this host; alerts fleet-wide · H next host/);
  assert.match(f, /flights-logreg@1 +active +80\.0k +50\.0k .*61\.2%/, 'the host\'s traffic, not the fleet\'s');
  assert.doesNotMatch(f, /flights-mlp@2/, 'a model the host did not serve is not listed');

  await h.press('2');
  f = h.frame();
  assert.match(f, /host web-2 · this host's inputs against the model's reference; h: every host/);
  assert.match(f, / 4321 rows · /, 'the host\'s window');
  assert.match(f, /distance +numeric +wasserstein +0\.9876 .* drift/);

  await h.press('3');
  assert.match(h.frame(), /host web-2 · fleet-wide: shadow pairs and the gate judge the model, not one replica/);
  await h.press('6', 'x');
  f = h.frame();
  assert.match(f, /only on web-2/);
  assert.doesNotMatch(f, /missing field "id"/, 'the other hosts\' quarantined lines are not shown');
  h.unmount();
});

test('the Drift screen\'s hosts view names the replica that differs; Enter filters on the selected host', async () => {
  const h = await open({ snapshot: fleet(null), columns: 120, rows: 30 });
  await h.press('2', 'h');
  const f = h.frame();
  assert.match(f, /each host's last 2000 predictions against each other host's \(at .*\): web-2 DIFFERS/);
  assert.match(f, /web-2 +80\.0k +50\.0k +2 .*DIFFERS +distance drift \(wasserstein 0\.988\)/);
  assert.match(f, /web-1 .*like the others/);
  await h.press('j', KEY.enter);
  assert.match(selectedLine(h.frame()), /web-2/);
  assert.deepEqual(h.commands.calls.filter((c) => c.name === 'setHost').map((c) => c.args[0]), ['web-2']);
  await h.press(KEY.esc);
  assert.match(h.frame(), /feature +kind +method +stat/);
  h.unmount();
});

test('with two hosts that differ, the hosts view does not pretend to know which one is wrong', async () => {
  const s = fleet(null);
  const hosts = s.hosts!;
  hosts.list = hosts.list.slice(0, 2);
  hosts.drift = hosts.drift.slice(0, 2).map((d) => ({ ...d, drifted: true }));
  const h = await open({ snapshot: s, columns: 200, rows: 30 });
  await h.press('2', 'h');
  assert.match(h.frame(), /web-1 and web-2 differ from each other \(two hosts: inputs cannot tell which is wrong\)/);
  h.unmount();
});

/**
 * The host filter on the console's side (issue 17). The engine computes one host's figures in
 * memory (src/engine/hostLens.ts) and sends them beside the fleet's, which stay untouched in the
 * snapshot (metrics and alerts read those). Here the screens are handed a snapshot whose
 * host-scoped parts are the host's, so every screen draws as it always does; what a screen
 * shows for a host, and what stays fleet-wide, is said once below and drawn under the header.
 */
import type { Snapshot } from '../src/engine/snapshot.js';
import type { ScreenId } from './state.js';
import type { ConsoleActions } from './actions.js';

/** The snapshot as the screens see it: the selected host's traffic, estimates, drift and quarantine. */
export function scopeToHost(s: Snapshot): Snapshot {
  const v = s.hosts?.view;
  if (!v) return s;
  return { ...s, traffic: v.traffic, estimates: v.estimates, drift: v.drift, quarantine: v.quarantine };
}

/** Per screen, what it shows while a host is selected. */
export const HOST_SCOPE: Record<ScreenId, string> = {
  overview: 'models and accuracy of this host; alerts fleet-wide',
  drift: 'this host\'s inputs against the model\'s reference; h: every host',
  shadow: 'fleet-wide: shadow pairs and the gate judge the model, not one replica',
  models: 'fleet-wide: the registry',
  retrain: 'fleet-wide: retrain jobs',
  events: 'quarantined lines of this host; audit trail, alerts, conflicts fleet-wide',
  quality: 'fleet-wide: data quality rules and their cost',
};

/** The line under the header while a host is selected, or null for the whole fleet. */
export function hostScopeLine(s: Snapshot | null, screen: ScreenId): string | null {
  const h = s?.hosts;
  if (!h || h.selected === null) return null;
  const reading = h.view && !h.view.caughtUp ? ' (reading its rows…)' : '';
  return `host ${h.selected}${reading} · ${HOST_SCOPE[screen]} · H next host`;
}

/** `H`: asks the engine for the next host, or says why there is none to filter on. */
export function cycleHost(s: Snapshot | null, actions: Pick<ConsoleActions, 'setHost' | 'flash'>): void {
  const list = s?.hosts?.list ?? [];
  if (list.length < 2 && (s?.hosts?.selected ?? null) === null) {
    actions.flash(list.length === 1 ? `Every line comes from ${list[0].host}: no other host to filter on.` : 'No lines stored yet: no host to filter on.', 'info');
    return;
  }
  actions.setHost(nextHost(s));
}

/** What `H` selects next: the whole fleet, then each host in turn, then the fleet again. */
export function nextHost(s: Snapshot | null): string | null {
  const list = s?.hosts?.list.map((h) => h.host) ?? [];
  const cur = s?.hosts?.selected ?? null;
  if (list.length === 0) return null;
  const i = cur === null ? -1 : list.indexOf(cur);
  return i + 1 < list.length ? list[i + 1] : null;
}

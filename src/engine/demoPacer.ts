/**
 * The demo's pacing, on the engine thread: `space`, `+` and `-` from the console become a
 * control file the replay process polls (src/replay/control.ts), and the demo stops by itself,
 * with a one-line hint of what to do next, at the moments a newcomer should act:
 *
 * 1. `incident`: the incident's first page alert opens (the `hour` feature drifts);
 * 2. `retrain`: a week of the incident is in, enough for a retrain to learn it (the demo
 *    retrains on the last 15,000 labelled rows, about six days);
 * 3. `gate:<candidate>`: a retrained candidate's promotion gate would pass now (checked with the
 *    gate preview, which spends none of the gate's budget).
 *
 * Each stop happens once (recorded in the control file, so a restarted console does not stop
 * again). Resuming clears the hint.
 */
import { existsSync } from 'node:fs';
import type { CommandResult, DemoStatus, GateReport, PaceCommand, Snapshot } from './snapshot.js';
import { causeFirst, eventTimeOf, isPageAlert } from './pageAlerts.js';
import { readControl, readStatus, statusPathOf, stepRate, writeControl, type ReplayControl } from '../replay/control.js';

export interface DemoPacerOptions {
  control: string;
  /** start of the demo's simulated incident (event time), null without one */
  incidentFrom: number | null;
  /** event time after the incident start at which a retrain has enough of it */
  retrainAfterMs?: number;
  gatePreview(target: string): Promise<GateReport>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GATE_CHECK_MS = 5_000;


export class DemoPacer {
  private lastGateCheck = 0;
  private checking = false;

  constructor(private readonly opts: DemoPacerOptions) {}

  private control(): ReplayControl {
    return readControl(this.opts.control) ?? { paused: false, rate: 400, stops: [], hint: null };
  }

  /** What the header shows: the replay's state, its rate and clock, the hint of a stop. */
  view(): DemoStatus | null {
    if (!existsSync(this.opts.control)) return null;
    const c = this.control();
    const st = readStatus(statusPathOf(this.opts.control));
    return {
      paused: c.paused, holding: st?.paused ?? false, rate: c.rate,
      clock: st?.eventTime ?? null, done: st?.done ?? false, hint: c.hint,
    };
  }

  pace(cmd: PaceCommand): CommandResult {
    if (!existsSync(this.opts.control)) return { ok: false, message: 'no replay to pace: space, + and - work in the demo (mlops-tui demo)' };
    const c = this.control();
    switch (cmd) {
      case 'toggle':
      case 'pause':
      case 'resume': {
        const paused = cmd === 'toggle' ? !c.paused : cmd === 'pause';
        writeControl(this.opts.control, { ...c, paused, hint: paused ? c.hint : null });
        return { ok: true, message: paused ? 'Replay paused; space resumes.' : `Replay resumed at ${c.rate} rows/s.` };
      }
      case 'faster':
      case 'slower': {
        const rate = stepRate(c.rate, cmd === 'faster' ? 1 : -1);
        writeControl(this.opts.control, { ...c, rate });
        return { ok: true, message: rate === c.rate ? `Replay already at its ${cmd === 'faster' ? 'fastest' : 'slowest'}: ${rate} rows/s.` : `Replay at ${rate} rows/s.` };
      }
    }
  }

  private stop(c: ReplayControl, id: string, hint: string): void {
    writeControl(this.opts.control, { ...c, paused: true, stops: [...c.stops, id], hint, holdAt: id === 'retrain' ? null : c.holdAt ?? null });
  }

  /** Where the replay holds by itself for the retrain stop (a week into the incident). */
  private retrainAt(): number | null {
    return this.opts.incidentFrom === null ? null : this.opts.incidentFrom + (this.opts.retrainAfterMs ?? 6.5 * DAY);
  }

  /** Looks at each snapshot for the moments the demo stops at. */
  observe(s: Snapshot): void {
    if (!existsSync(this.opts.control)) return;
    const c = this.control();
    const from = this.opts.incidentFrom;
    if (from !== null && !c.stops.includes('incident')) {
      const first = s.alerts.filter((a) => isPageAlert(a) && eventTimeOf(a) >= from).sort(causeFirst)[0];
      if (first) {
        return this.stop(c, 'incident',
          `Paused: the incident's first page alert, ${first.subject} drifted. See 2 Drift (Enter: its chart). Space resumes; the demo stops again when it is time to retrain.`);
      }
    }
    const at = this.retrainAt();
    if (at !== null && !c.stops.includes('retrain') && c.holdAt !== at) {
      // The replay holds there by itself, so the rows a retrain reads are the same on every run.
      return writeControl(this.opts.control, { ...c, holdAt: at });
    }
    const st = readStatus(statusPathOf(this.opts.control));
    // Only once ingest has caught up: a retrain reads the rows in the store, not the replay's clock.
    if (at !== null && !c.stops.includes('retrain') && s.ingest.caughtUp
      && st !== null && st.paused && st.eventTime !== null && st.eventTime >= at - 6 * HOUR) {
      return this.stop(c, 'retrain',
        'Paused: a week of the incident is in. Retrain on it: 5, then r. Space resumes; the demo stops again when the gate can pass.');
    }
    this.checkGate(s, c);
  }

  /** A retrained candidate (a job's result) whose figures look ready: ask the gate, without spending it. */
  private checkGate(s: Snapshot, c: ReplayControl): void {
    if (this.checking || Date.now() - this.lastGateCheck < GATE_CHECK_MS) return;
    const retrained = new Set(s.jobs.map((j) => j.result).filter((r): r is string => r !== null));
    const ready = s.pairs.find((p) => retrained.has(p.candidate) && !c.stops.includes(`gate:${p.candidate}`) && p.verdict === 'better'
      && p.gate !== null && p.gate.remaining > 0 && p.gate.haveRows >= p.gate.needRows && p.gate.needRows > 0);
    if (!ready) return;
    this.lastGateCheck = Date.now();
    this.checking = true;
    void this.opts.gatePreview(ready.candidate).then((g) => {
      const now = this.control();
      if (g.figures?.pass === true && !now.stops.includes(`gate:${ready.candidate}`)) {
        this.stop(now, `gate:${ready.candidate}`,
          `Paused: ${ready.candidate}'s gate can pass. See 3 Shadow, then p to promote it (Tab, Enter). Space resumes.`);
      }
    }).catch(() => undefined).finally(() => { this.checking = false; });
  }
}

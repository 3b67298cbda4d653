/**
 * The contract between the engine and the console.
 *
 * The engine hands the UI plain, JSON-serialisable snapshot objects (at most 4 per second) and
 * the UI calls back through `EngineCommands`. Components never open the database: everything
 * they draw is in a Snapshot, everything they change goes through a command. Types only.
 *
 * Conventions: times are ms since the epoch; rates and shares are fractions in [0, 1];
 * lists are bounded by the engine (newest few hundred events, alerts, quarantined lines),
 * so a snapshot costs the same with 10^4 or 10^7 rows of history;
 * a metric that cannot be computed yet (no labels, too few rows) is `null`, never NaN;
 * model references are `name@version` strings.
 */

/** Three levels per column, as whylogs reports them. */
export type Level = 'ok' | 'warn' | 'drift';

/** Registry alias of a model version: serving, scored in the shadow, or kept for rollback. */
export type Alias = 'active' | 'shadow' | 'retired';

/** A model seen in the logs: its registry alias, or 'unregistered' when the registry does not know it. */
export type TrafficAlias = Alias | 'unregistered';

export interface IngestStatus {
  ratePerSec: number;       // lines ingested per second, averaged over the last few seconds
  predictions: number;      // prediction rows stored (all models)
  labels: number;           // label rows stored
  quarantined: number;      // bad lines set aside with a reason
  files: number;            // log files being watched
  caughtUp: boolean;        // true when every watched file has been read to its end
  lagBytes?: number | null; // local files: bytes written to the watched files and not committed yet
  natsPending?: number | null; // --from nats: messages of the durable consumer not acknowledged yet
  natsOldestUnackedSeconds?: number | null; // --from nats: age of the oldest of them (0 when none)
}

export interface TrainedMetrics {
  accuracy: number | null;  // on the time-ordered held-out split
  logLoss: number | null;
  auc: number | null;       // binary models only
  rows: number | null;      // training rows
}

export interface ModelRow {
  name: string;             // model name, e.g. "flights-mlp"
  version: number;          // registry version, 1-based
  alias: Alias;
  type: string;             // "logreg" | "mlp" | other model family
  createdAt: number;        // registration time
  metrics: TrainedMetrics;  // figures measured when it was trained
}

export interface TrafficRow {
  model: string;            // name@version
  alias: TrafficAlias;
  predictions: number;      // predictions in the store for this model version
  labelled: number;         // of which a label has arrived
  coverage: number;         // labelled / predictions
  accuracy: number | null;  // rolling, over the current window of labelled rows
  logLoss: number | null;   // rolling
  auc: number | null;       // rolling, binary only
  estAccuracy: number | null; // CBPE estimate over the current window (no labels needed)
}

/**
 * Label-free performance estimation (CBPE, as NannyML) per window of event time, beside what the
 * labels later showed. Accuracy in [0, 1]. The estimate uses the model's calibrator fitted on its
 * own held-out rows from training, or on a reference period the operator pinned
 * (`mlops-tui reference set`); without either there is no estimate (never calibrated on
 * whatever rows arrived first). The Overview/Shadow chart draws `windows` as two lines
 * (estimated with its band, realised) and the thresholds as a horizontal band.
 */
export interface EstimateWindow {
  start: number;            // window start (event time of the requests), inclusive
  end: number;              // window end, exclusive
  rows: number;             // predictions in the window (what the estimate averages)
  estimated: number | null; // CBPE estimated accuracy; null without a reference or a score
  band: [number, number] | null; // estimated ± 3 sampling errors (NannyML: σ_ref / √rows)
  labelled: number;         // of the window's predictions, how many have a label so far
  realised: number | null;  // accuracy on the labelled ones; null before any label
  alert: boolean;           // estimated below threshold.lower (the window is complete)
}

export interface ModelEstimates {
  model: string;            // name@version
  alias: TrafficAlias;
  metric: 'accuracy';
  /** Where the calibrator comes from; null = no reference, no estimate. */
  reference: { source: 'training-holdout' | 'pinned'; rows: number; from: number | null; until: number | null } | null;
  /** Alert thresholds from the spread of reference chunks (mean ± 3 sd), null without a reference. */
  threshold: { lower: number; upper: number } | null;
  windows: EstimateWindow[]; // oldest first, the last ESTIMATE_WINDOWS windows incl. the one filling
}

/**
 * An alert episode (src/alerts/episodes.ts): one per (kind, subject) while its condition holds,
 * resolved by itself once clear for the configured windows. Kinds: "dataset-drift",
 * "feature-drift", "calibration" (the CUSUM), "estimated-performance" (page when on the active
 * model), "error-rate" (River's detectors), "label-drift", "multivariate" (info).
 */
/** Per window, the models ranked by estimated accuracy; `byLabels` once the labels are in. */
export interface ModelChoice {
  start: number;
  end: number;
  ranking: Array<{ model: string; estimated: number; band: [number, number] }>; // best first
  best: string;
  confident: boolean;       // the leader's band lies above every other band
  byLabels: string | null;  // highest realised accuracy once ≥ 95% of each model's window is labelled
}

/**
 * The opt-in label-free switching policy (`choose.auto`, src/compare/autoChoose.ts) as the Shadow
 * screen shows it: whether it may switch, what it needs to, and what it did last (from the policy's
 * own memory in the store, so a restart does not forget it).
 */
export interface ChoosePolicyStatus {
  auto: boolean;            // choose.auto: off by default
  margin: number;           // estimated accuracy a shadow must lead by (fraction)
  windows: number;          // consecutive complete, confident windows it must lead in
  requireDrift: boolean;    // only while a data-drift page is open (choose.requireDrift)
  last: {
    at: number;             // when the policy acted
    action: 'switch' | 'rollback';
    from: string;           // name@version active before
    to: string;             // name@version active after
    reason: string | null;  // the policy's own sentence (the estimates, or the labels that contradicted them)
  } | null;
}

export interface AlertRow {
  id: string;               // episode id (what `mlops-tui alerts ack ID` takes)
  at: number;               // when it opened
  since?: number;           // event time of the window the condition started in (the demo stops on the incident's first)
  kind: string;
  detector: string | null;  // kept for older readers; episodes leave it null
  subject: string;          // feature or model@version
  level: Level;             // 'drift' for page, 'warn' for info (colour)
  severity: 'page' | 'info';
  state: 'open' | 'acknowledged' | 'resolved';
  updatedAt: number;
  message: string;          // one sentence, the latest
}

/** A notification that failed its last retry (the dead letter), newest first. */
export interface DeadLetterRow {
  alertId: string;
  event: 'open' | 'resolve';
  target: 'command' | 'webhook';
  attempts: number;
  at: number;               // when it was given up
  error: string;
}

export interface Histogram {
  labels: string[];         // bin labels (numeric ranges or categories, incl. "(other)" / "(missing)")
  reference: number[];      // share per bin in the reference, sums to 1
  current: number[];        // share per bin in the current window, sums to 1
}

export interface FeatureDriftRow {
  name: string;             // feature name, or "score:<model@version>" for prediction drift
  kind: 'numeric' | 'categorical' | 'binary' | 'score';
  method: string;           // "ks" | "wasserstein" | "psi" | "chi2" | "jensen-shannon" | "z"
  statistic: number;        // value of the method's statistic in the current window
  pValue: number | null;    // for tests that have one
  threshold: number;        // drift threshold applied to statistic (or to pValue for tests)
  level: Level;
  missingRate: number | null; // share of missing values in the current window
  history: number[];        // statistic over the last windows, oldest first (sparkline, chart)
  histogram: Histogram;     // reference vs current distribution
  note: string | null;      // e.g. "calendar feature: compared with the same weekday"
  psi?: number;             // PSI of the column: the effect size the rows are ranked by (features only)
  importance?: number | null; // the active model's permutation importance of the feature, when stored
  weighted?: number | null;  // importance × PSI: features are listed in this order, most harmful first
}

export interface DriftStatus {
  window: string;           // human description of the current window, e.g. "last 24h (2001-03-04)"
  rows: number;             // rows in the current window
  datasetDrifted: boolean;  // share of drifted columns >= shareThreshold
  share: number;            // share of columns at level 'drift'
  shareThreshold: number;   // configured, default 0.5
  features: FeatureDriftRow[];
}

/** The promotion gate's reuse budget (ease.ml/ci): evaluations left on the held-out rows. */
export interface GateBudget {
  remaining: number;        // evaluations left on the current held-out set
  allowed: number;          // evaluations the Hoeffding budget allows in total
  needRows: number;         // labelled held-out rows the condition needs
  haveRows: number;         // labelled held-out rows available
}

export type Verdict = 'better' | 'worse' | 'no-difference' | 'insufficient';

/**
 * Shadow comparison of a candidate against the active version on the same requests
 * (orientation: src/core/pair.ts; differences are candidate − active).
 */
export interface PairRow {
  candidate: string;        // name@version of the shadow
  active: string;           // name@version of the active version
  n: number;                // requests scored by both
  agreement: number;        // share of equal predicted classes
  meanAbsDiff: number | null; // mean |score_candidate - score_active| where both logged a score
  labelled: number;         // paired requests with a label
  accCandidate: number | null; // realised accuracy of the candidate on the labelled pairs
  accActive: number | null;
  diff: number | null;      // accCandidate - accActive
  ci: [number, number] | null; // 95% interval of diff
  pValue: number | null;    // McNemar exact
  verdict: Verdict;         // the candidate against the active version at the configured level
  estAccCandidate: number | null; // CBPE estimate on all pairs
  estAccActive: number | null;
  gate: GateBudget | null;  // budget of the gate that would judge promoting the candidate
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface JobRow {
  id: string;
  model: string;            // model name it retrains
  type: string;             // model family
  status: JobStatus;
  epoch: number;            // epochs finished
  epochs: number;           // epochs planned
  loss: number | null;      // training loss of the last epoch
  valMetric: number | null; // validation metric of the last epoch
  valMetricName: string;    // e.g. "auc", "accuracy"
  etaSeconds: number | null;
  createdAt: number;
  result: string | null;    // name@version registered on success
  error: string | null;     // reason on failure
  stopped: string | null;   // why a finished job stopped where it did ("early stopping at epoch 11 of 12: …")
}

export interface EventRow {
  at: number;
  operator: string;         // "$USER from <ssh client>"
  action: string;           // "promote" | "rollback" | "retrain" | "cancel" | "force-promote" ...
  before: string | null;    // e.g. active name@version before
  after: string | null;
  detail: string | null;    // what justified it, in words: the gate figures of a promotion, a registration's metrics
}

export interface QuarantineRow {
  at: number;               // when it was quarantined
  file: string;
  line: number;             // 1-based line number in the file
  reason: string;
  text: string;             // the line, truncated by the engine
}

/** A key logged twice with different content (store/conflicts.ts): the kept version and the other. */
export interface ConflictSnapshotRow {
  at: number;
  kind: 'prediction' | 'label';
  subject: string;          // name@version, or "label"
  requestId: string;
  kept: string;             // the stored version, compact JSON
  other: string;            // the conflicting version, compact JSON
  where: string;            // file:line of the conflicting line
}

/** The demo's replay as the header shows it (null outside the demo). */
export interface DemoStatus {
  paused: boolean;          // the operator or a stop of the demo asked the replay to hold
  holding: boolean;         // the replay has seen it and holds
  rate: number;             // replayed rows per second
  clock: number | null;     // the replay's event time
  done: boolean;            // the data has ended
  hint: string | null;      // why the demo stopped by itself and what to do next
}

/** One feature on the Quality screen (7), in rank order: the feature whose cleaning buys most first. */
export interface QualityFeatureRow {
  feature: string;
  rule: string;             // the rule in one line, e.g. "numeric 0…23, missing ≤ 1%"
  violating: number;        // rows flagged over the windows shown
  rows: number;             // rows checked over those windows
  breaches: number;         // windows whose missing or new-category share broke the rule
  history: number[];        // flagged share per window, oldest first (sparkline)
  importance: number | null; // permutation importance of the model (log-loss increase)
  cost: number | null;      // accuracy lost to these violations (realised; CBPE without labels)
  costCi: [number, number] | null;
  gain: number | null;      // accuracy cleaning this feature would buy, estimated by re-scoring
  gainCi: [number, number] | null;
  basis: 'labels' | 'cbpe' | null; // what cost and gain rest on
}

export interface QualityStatus {
  model: string | null;     // the model the figures are about (the active one)
  rules: string;            // where the rules came from: "config (from flights@1)" or a model
  windows: number;          // windows in each history
  analysedAt: number | null; // when cost and gain were last computed (they re-score rows), null = not yet
  features: QualityFeatureRow[];
  exportHint: string;       // the command that exports the rows to fix first
}

export interface Snapshot {
  at: number;               // when the snapshot was taken
  db: string;               // database path
  backend: string;          // tfjs backend in use: "tensorflow" | "wasm" | "cpu"
  ingest: IngestStatus;
  notice: string | null;    // banner, e.g. "DEMO: simulated upstream incident from 2001-03-01 (hour +6h)"
  models: ModelRow[];
  traffic: TrafficRow[];
  alerts: AlertRow[];       // live alert episodes (open or acknowledged), newest first
  openPages: number;        // open (unacknowledged) page episodes: what the header counts
  deadLetters: DeadLetterRow[]; // notifications given up on, newest first
  estimates: ModelEstimates[]; // per model: CBPE estimate vs realised per window (active first)
  choices: ModelChoice[];   // per window with two or more estimates: the label-free ranking (src/compare/choose.ts)
  choosePolicy?: ChoosePolicyStatus; // absent before the engine's operations have decorated the snapshot
  drift: DriftStatus;
  pairs: PairRow[];
  jobs: JobRow[];           // newest first
  events: EventRow[];       // audit trail, newest first
  quarantine: QuarantineRow[]; // newest first
  conflicts?: ConflictSnapshotRow[]; // newest first, the last 50
  /**
   * The engine's current trouble, one sentence (a commit being retried, a pass that threw),
   * shown on the flash line; null or absent when all is well.
   */
  problem?: string | null;
  demo?: DemoStatus | null;  // the demo's replay, when the console runs the demo
  quality?: QualityStatus;  // absent when there are no rules yet (no active model, none in the config)
  hosts?: HostsStatus;      // per serving host and the console's host filter (absent: older engines)
}

/**
 * The fleet per serving host (issue 17). `view` holds the figures of the host the console
 * filters on, computed in memory from a read-only pass over that host's rows
 * (src/engine/hostLens.ts); the fleet-wide fields of the snapshot (traffic, drift, pairs…) stay
 * fleet-wide whatever the filter, so metrics, alerts and the gate never see a host's figures.
 */
export interface HostsStatus {
  /** The host the console filters on; null: every host. Rows from local files are LOCAL_HOST. */
  selected: string | null;
  /** Counts per host (refreshed every few seconds), the order the filter key cycles through. */
  list: HostCountRow[];
  /** Which replica differs: each host's recent inputs against the others' (src/fleet/hostDrift.ts). */
  drift: HostDriftRow[];
  /** When `drift` was computed (it is refreshed every 30 s); null before the first time. */
  driftAt: number | null;
  /** Each host's most recent predictions that `drift` compares. */
  driftRows: number;
  view: HostView | null;
}

export interface HostCountRow {
  host: string;
  predictions: number;
  labels: number;             // label lines the host shipped
  quarantined: number;
  updatedAt: number | null;   // when a line of it was last stored (wall clock)
}

export interface HostDriftRow {
  model: string;
  host: string;
  rows: number;               // its recent predictions compared
  drifted: boolean;           // some feature drifts against most other hosts: the replica differs
  features: Array<{ feature: string; method: string; statistic: number; level: Level; against: string[] }>;
}

/** What the screens draw for one host instead of the fleet's. */
export interface HostView {
  host: string;
  traffic: TrafficRow[];      // per model, this host's predictions only (read back over the engine's look-back)
  estimates: ModelEstimates[];
  drift: DriftStatus;         // this host's inputs against the active model's reference
  quarantine: QuarantineRow[];
  caughtUp: boolean;          // the host's pass has read every row there is
}

/** What the console subscribes to; `current()` returns the same object until the next snapshot. */
export interface SnapshotSource {
  current(): Snapshot | null;
  subscribe(listener: (snapshot: Snapshot) => void): () => void;
}

export interface CommandResult {
  ok: boolean;
  message: string;          // one sentence for the flash line
}

/** What the promote confirmation shows (must not spend the gate's budget): the one gate report. */
export type { GateFigures, GateReport } from '../core/gate.js';
import type { GateReport } from '../core/gate.js';

/** The reference dialog's defaults and the reference in force (src/ops/reference.ts). */
export type { ReferenceSuggestion } from '../ops/reference.js';
import type { ReferenceSuggestion } from '../ops/reference.js';

export interface RetrainOptions {
  model?: string;           // model name; default: the active model's
  type?: 'logreg' | 'mlp';
  rows?: number;            // last N labelled rows
}

/** Pacing of the demo's replay: space toggles, + and - step the rate. */
export type PaceCommand = 'toggle' | 'pause' | 'resume' | 'faster' | 'slower';

export interface EngineCommands {
  promote(target: string, opts?: { force?: boolean }): Promise<CommandResult>;
  rollback(name?: string): Promise<CommandResult>;
  gatePreview(target: string): Promise<GateReport>;
  retrain(opts?: RetrainOptions): Promise<CommandResult>;
  cancelJob(id: string): Promise<CommandResult>;
  pace(cmd: PaceCommand): Promise<CommandResult>;
  ackAlert(id: string): Promise<CommandResult>;
  /** The Quality screen's `e`: the top rows violating a feature's rule, to a file beside the database. */
  exportQualityRows(feature: string, top: number): Promise<CommandResult>;
  /** The console's host filter: this host's figures on the screens (null: the whole fleet). Read-only. */
  setHost(host: string | null): Promise<CommandResult>;
  /** The Models screen's `r`: the dialog's defaults (the model's first labelled week) and the reference in force. */
  suggestReference(target: string): Promise<ReferenceSuggestion>;
  /** Pins [from, until) of the model's labelled traffic as its CBPE reference: `mlops-tui reference set`'s ops function. */
  pinReference(target: string, from: number, until: number): Promise<CommandResult>;
}

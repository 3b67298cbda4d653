/**
 * Versioned schema migrations, applied in order at open and recorded in
 * PRAGMA user_version. A migration is never edited once it has shipped:
 * a change to the schema is a new entry at the end, so a database written by
 * an older build opens with a newer one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the foundation
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  -- One row per (path, identity). The offset is committed in the same
  -- transaction as the rows read before it, which is what makes ingest exactly-once.
  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    inode TEXT NOT NULL,
    head_hash TEXT NOT NULL,
    head_len INTEGER NOT NULL,
    gz INTEGER NOT NULL DEFAULT 0,
    offset INTEGER NOT NULL DEFAULT 0,
    line_no INTEGER NOT NULL DEFAULT 0,
    predictions INTEGER NOT NULL DEFAULT 0,
    labels INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0,
    superseded INTEGER NOT NULL DEFAULT 0,
    first_seen INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX files_path ON files(path, superseded);

  CREATE TABLE predictions (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL,
    model TEXT NOT NULL,
    version INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    features TEXT NOT NULL,
    prediction TEXT NOT NULL,
    score REAL,
    scores TEXT,
    file_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX predictions_request ON predictions(request_id, model, version);
  CREATE INDEX predictions_model_ts ON predictions(model, version, ts);

  -- A rowid table so analytics can follow it with a cursor (id > last seen).
  CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL UNIQUE,
    ts INTEGER NOT NULL,
    label TEXT NOT NULL,
    file_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL
  );

  CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL,
    path TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    reason TEXT NOT NULL,
    text TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    at INTEGER NOT NULL
  );

  CREATE TABLE schema_fields (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('numeric', 'categorical')),
    source TEXT NOT NULL CHECK (source IN ('inferred', 'pinned')),
    seen INTEGER NOT NULL DEFAULT 0,
    missing INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    task TEXT NOT NULL,
    alias TEXT CHECK (alias IN ('active', 'shadow', 'retired')),
    created_at INTEGER NOT NULL,
    artifact TEXT NOT NULL,
    weights BLOB NOT NULL,
    metrics TEXT NOT NULL,
    UNIQUE (name, version)
  );

  -- Append-only: triggers refuse edits so the trail can be trusted.
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    operator TEXT NOT NULL,
    client TEXT,
    action TEXT NOT NULL,
    subject TEXT,
    before TEXT,
    after TEXT,
    details TEXT
  );
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
  `,
  // 2: analytics state that must survive a restart
  `
  CREATE TABLE drift_windows (
    id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    window_end INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    dataset_drifted INTEGER NOT NULL,
    share REAL NOT NULL,
    results TEXT NOT NULL,
    UNIQUE (model, window_start)
  );

  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    event_time INTEGER,
    kind TEXT NOT NULL,
    detector TEXT,
    subject TEXT NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL,
    closed_at INTEGER
  );

  CREATE TABLE gate_state (
    candidate TEXT NOT NULL,
    active TEXT NOT NULL,
    evaluations_used INTEGER NOT NULL DEFAULT 0,
    fresh_after_label_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (candidate, active)
  );

  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    epoch INTEGER NOT NULL DEFAULT 0,
    epochs INTEGER NOT NULL DEFAULT 0,
    loss REAL,
    val_metric REAL,
    eta_seconds REAL,
    -- name@version registered on success, and its held-out metrics as JSON
    result TEXT,
    metrics TEXT,
    error TEXT,
    log TEXT NOT NULL DEFAULT '',
    -- process that runs (or will run) the job; NULL while queued for any runner
    pid INTEGER,
    -- set by another process (a headless cancel); the owner polls it and stops the worker
    cancel_requested INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX jobs_status ON jobs(status, model);
  `,
  // 3 (fleet, issue 17): the host each line came from (NULL: read from local files by
  // `ingest`), the origin of a line shipped over NATS (its message id, unique, so a
  // redelivered quarantined line is stored once), and the spool of `ship`: lines read
  // from the local files and not yet acknowledged by JetStream.
  `
  ALTER TABLE predictions ADD COLUMN host TEXT;
  ALTER TABLE labels ADD COLUMN host TEXT;
  ALTER TABLE quarantine ADD COLUMN host TEXT;
  ALTER TABLE quarantine ADD COLUMN origin TEXT;
  ALTER TABLE files ADD COLUMN host TEXT;
  CREATE UNIQUE INDEX quarantine_origin ON quarantine(origin) WHERE origin IS NOT NULL;

  CREATE TABLE ship_spool (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL,
    line_no INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('p', 'l', 'q')),
    body TEXT NOT NULL
  );
  `,
  // 4 (issue 13): conflicting duplicates. A line whose key is already stored with other content
  // (a second, different prediction for one request and model version; a corrected label) is
  // kept here beside the stored version instead of only counting as a duplicate.
  `
  CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('prediction', 'label')),
    request_id TEXT NOT NULL,
    model TEXT,
    version INTEGER,
    kept TEXT NOT NULL,
    other TEXT NOT NULL,
    file_id INTEGER,
    line_no INTEGER NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX conflicts_model ON conflicts(model, version);
  ALTER TABLE files ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;
  `,
  // 5: data quality (src/quality): counts per model, window and feature, flags per
  // prediction row (rows are kept, never dropped), and the cursor of the checker so counting
  // is incremental and survives a restart.
  `
  CREATE TABLE quality_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cursor INTEGER NOT NULL,
    -- the rules and window the counts were made with; other rules recount from the start
    fingerprint TEXT NOT NULL,
    window_ms INTEGER NOT NULL
  );
  CREATE TABLE quality_windows (
    model TEXT NOT NULL,
    version INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    feature TEXT NOT NULL,
    rows INTEGER NOT NULL,
    missing INTEGER NOT NULL,
    type INTEGER NOT NULL,
    range INTEGER NOT NULL,
    category INTEGER NOT NULL,
    -- rows with at least one row-level violation of this feature
    flagged INTEGER NOT NULL,
    PRIMARY KEY (model, version, window_start, feature)
  );
  CREATE TABLE quality_flags (
    prediction_id INTEGER NOT NULL,
    feature TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('type', 'range', 'category', 'missing')),
    PRIMARY KEY (prediction_id, feature)
  ) WITHOUT ROWID;
  CREATE INDEX quality_flags_feature ON quality_flags(feature, prediction_id);
  -- a prediction deleted by retention takes its flags along (the window counts stay)
  CREATE TRIGGER quality_flags_gc AFTER DELETE ON predictions BEGIN
    DELETE FROM quality_flags WHERE prediction_id = old.id;
  END;
  `,
  // 6 (issue 12): CBPE reference periods pinned by the operator (models that only appear in logs,
  // or a better period than the training hold-out). The JSON is the fitted reference
  // (calibrator, sampling error, thresholds); from/until is the request-time period it came from.
  `
  CREATE TABLE cbpe_references (
    model TEXT NOT NULL,
    version INTEGER NOT NULL,
    from_ts INTEGER NOT NULL,
    until_ts INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    reference TEXT NOT NULL,
    pinned_at INTEGER NOT NULL,
    operator TEXT NOT NULL,
    PRIMARY KEY (model, version)
  );
  `,
  // 7 (issue 12): alerts with a lifecycle. The `alerts` table stays the log of firings (each
  // condition seen, one row per kind, detector, subject and day); an episode per (kind, subject)
  // opens once, is updated while the condition holds, resolves by itself, can be acknowledged.
  // Notifications are an outbox: one row per episode event and target, retried with backoff,
  // 'dead' (the dead letter) after the last retry.
  `
  CREATE TABLE alert_episodes (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('page', 'info')),
    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    message TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    resolved_at INTEGER,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    first_window INTEGER NOT NULL,
    last_window INTEGER NOT NULL,
    held_windows INTEGER NOT NULL,
    updates INTEGER NOT NULL DEFAULT 1,
    resolution TEXT
  );
  CREATE UNIQUE INDEX alert_episodes_live ON alert_episodes(kind, subject) WHERE state != 'resolved';
  CREATE TABLE alert_notifications (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES alert_episodes(id),
    event TEXT NOT NULL CHECK (event IN ('open', 'resolve')),
    target TEXT NOT NULL CHECK (target IN ('command', 'webhook')),
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    done_at INTEGER
  );
  CREATE INDEX alert_notifications_due ON alert_notifications(status, next_at);
  `,
  // 8 (issue 14): row counters for `status` (store/counters.ts): per model version, predictions
  // and predictions whose request has a label; labels, quarantined lines and distinct requests;
  // and the rowid cursors up to which they are counted. Backfilled here from the rows an older
  // build stored (once; a few seconds on 10^6 rows).
  `
  CREATE TABLE traffic_counts (
    model TEXT NOT NULL,
    version INTEGER NOT NULL,
    predictions INTEGER NOT NULL,
    labelled INTEGER NOT NULL,
    PRIMARY KEY (model, version)
  ) WITHOUT ROWID;
  CREATE TABLE row_counts (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    prediction_cursor INTEGER NOT NULL,
    label_cursor INTEGER NOT NULL,
    quarantine_cursor INTEGER NOT NULL,
    labels INTEGER NOT NULL,
    quarantined INTEGER NOT NULL,
    requests INTEGER NOT NULL
  );
  INSERT INTO traffic_counts (model, version, predictions, labelled)
    SELECT p.model, p.version, count(*), count(l.request_id)
    FROM predictions p LEFT JOIN labels l ON l.request_id = p.request_id GROUP BY p.model, p.version;
  INSERT INTO row_counts VALUES (1,
    (SELECT coalesce(max(id), 0) FROM predictions), (SELECT coalesce(max(id), 0) FROM labels),
    (SELECT coalesce(max(id), 0) FROM quarantine), (SELECT count(*) FROM labels),
    (SELECT count(*) FROM quarantine), (SELECT count(DISTINCT request_id) FROM predictions));
  `,
  // 9 (issue 12): the label-free choice policy's memory (choose.auto), so a restarted console
  // neither switches twice on the same windows nor forgets to watch the labels for a rollback.
  // One row: the last window a switch was decided on, and the last policy switch (null columns
  // before the first).
  `
  CREATE TABLE choose_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_decided_window INTEGER,
    switch_from TEXT,
    switch_to TEXT,
    switch_since INTEGER,
    rolled_back INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
  );
  `,
];

import type BetterSqlite3 from "better-sqlite3";

/**
 * The schema, one entry per version; `PRAGMA user_version` says how many have run. Append only:
 * a journal written by an older version is brought up to date when opened.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    forge TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    forge_event TEXT NOT NULL,
    kind TEXT NOT NULL,
    action TEXT,
    repo TEXT,
    ref TEXT,
    sender TEXT,
    remote_address TEXT,
    headers TEXT NOT NULL DEFAULT '{}',
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'ignored')),
    note TEXT,
    trace TEXT NOT NULL DEFAULT '[]',
    UNIQUE (forge, delivery_id)
  );
  CREATE INDEX deliveries_received_at ON deliveries (received_at);

  CREATE TABLE dispatches (
    id INTEGER PRIMARY KEY,
    delivery INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    job TEXT NOT NULL,
    params TEXT NOT NULL,
    host TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    run TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX dispatches_due ON dispatches (status, next_attempt_at);
  CREATE INDEX dispatches_delivery ON dispatches (delivery);

  CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    dispatch INTEGER NOT NULL REFERENCES dispatches (id) ON DELETE CASCADE,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    exit_code INTEGER,
    signal TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('queued', 'retry', 'permanent', 'canceled')),
    stdout TEXT NOT NULL,
    stderr TEXT NOT NULL,
    message TEXT
  );
  CREATE INDEX attempts_dispatch ON attempts (dispatch);

  -- One row, rewritten by isWritable(): a real write for /readyz.
  CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
  );
  `,
  // A delivery's status is derived from its dispatches when read (journal-rows.ts); the stored
  // copy was never read and could only go stale.
  `
  ALTER TABLE deliveries DROP COLUMN status;
  `,
  // 3: catch-up (src/catch-up): the heads each push delivery brought, so that a webhook and a poll
  // of the same push build once; what the last poll of each repository saw; redeliveries asked.
  `
  CREATE TABLE catch_up_heads (
    repo TEXT NOT NULL,          -- lower-cased owner/name: forges compare names without case
    ref TEXT NOT NULL,
    sha TEXT NOT NULL,
    delivery INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    polled INTEGER NOT NULL,     -- 1: a delivery of its own, found by polling the remote
    PRIMARY KEY (repo, ref, sha, delivery)
  ) WITHOUT ROWID;
  CREATE INDEX catch_up_heads_delivery ON catch_up_heads (delivery);

  CREATE TABLE catch_up_remotes (
    repo TEXT PRIMARY KEY,       -- lower-cased owner/name
    remote TEXT NOT NULL,        -- the poll URL without its userinfo; another remote is polled afresh
    polled_at INTEGER NOT NULL
  );

  CREATE TABLE catch_up_remote_heads (
    repo TEXT NOT NULL REFERENCES catch_up_remotes (repo) ON DELETE CASCADE,
    ref TEXT NOT NULL,
    sha TEXT NOT NULL,           -- what the ref names (an annotated tag: the tag object)
    peeled TEXT NOT NULL,        -- the commit it comes to
    PRIMARY KEY (repo, ref)
  ) WITHOUT ROWID;

  CREATE TABLE catch_up_redeliveries (
    forge TEXT NOT NULL,
    guid TEXT NOT NULL,          -- the forge's delivery id (X-GitHub-Delivery), the same on every attempt
    repo TEXT NOT NULL,
    hook_id INTEGER NOT NULL,
    forge_delivery INTEGER NOT NULL,   -- the id of the failed attempt that was sent again
    event TEXT,
    asked_at INTEGER NOT NULL,
    answer TEXT NOT NULL,        -- what the forge said: "202", or its error
    PRIMARY KEY (forge, guid)
  ) WITHOUT ROWID;
  `,
  // 4: following runs (src/journal/runs.ts). One row per Laminar run of a dispatch: a run lost in a
  // laminard restart stays as `lost` and its dispatch gets a new row when it is queued again.
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    dispatch INTEGER NOT NULL REFERENCES dispatches (id) ON DELETE CASCADE,
    job TEXT NOT NULL,
    number INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'success', 'failed', 'aborted', 'lost')),
    queued_at INTEGER NOT NULL,
    started_at INTEGER,
    completed_at INTEGER,
    requeued_as TEXT,
    note TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX runs_dispatch ON runs (dispatch);
  -- The runs still followed: looked up by every event of laminard's stream.
  CREATE INDEX runs_followed ON runs (job, number) WHERE state IN ('queued', 'running');
  `,
  // 5: the commit status outbox (src/journal/status-outbox.ts). No token is ever stored: the poster
  // reads it from the config when it sends.
  `
  CREATE TABLE status_posts (
    id INTEGER PRIMARY KEY,
    dispatch INTEGER NOT NULL REFERENCES dispatches (id) ON DELETE CASCADE,
    forge TEXT NOT NULL,
    repo TEXT NOT NULL,
    sha TEXT NOT NULL,
    context TEXT NOT NULL,
    ref TEXT,
    job TEXT NOT NULL,
    run_number INTEGER,
    run_state TEXT NOT NULL,
    state TEXT NOT NULL,
    description TEXT NOT NULL,
    target_url TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'posted', 'refused', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    answer_status INTEGER,
    answer_message TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX status_posts_due ON status_posts (status, next_attempt_at);
  CREATE INDEX status_posts_key ON status_posts (forge, repo, sha, context, status);
  CREATE INDEX status_posts_dispatch ON status_posts (dispatch);
  `,
  // 6: a webhook asks only whether a *polled* delivery brought its head (catch-up-heads.ts). Without
  // this the lookup walked every delivery of that head: the same push delivered 10,000 times (a load
  // test, a replaying sender) cost each new copy 10,000 rows inside the delivery's transaction.
  `
  CREATE INDEX catch_up_heads_polled ON catch_up_heads (repo, ref, sha) WHERE polled = 1;
  `,
  // 7: which of a repository's secrets verified each delivery, by its position in the config's list
  // (never the value): while a secret changes (`repo rotate-secret`) this says when the old one
  // stopped being used. NULL: not checked (insecure), or kept before this column.
  `
  ALTER TABLE deliveries ADD COLUMN secret_index INTEGER;
  `,
];

/** Brings the schema up to date in one transaction; refuses a journal from a newer version. */
export function migrate(db: BetterSqlite3.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the journal has schema version ${current}, newer than this laminar-hooks knows (${MIGRATIONS.length}); upgrade laminar-hooks or use another journal.path`,
    );
  }
  if (current === MIGRATIONS.length) return;
  db.transaction(() => {
    for (let version = current; version < MIGRATIONS.length; version += 1) {
      db.exec(MIGRATIONS[version] ?? "");
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

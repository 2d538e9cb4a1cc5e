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
  // 7: a laminarc attempt whose outcome is unknown (killed at laminar.timeout, its helper died, the
  // service killed while it ran) may have been queued: the dispatch is in doubt from the time the
  // earliest such attempt started (ms) until laminard has been asked (src/laminar/find-queued.ts).
  `
  ALTER TABLE dispatches ADD COLUMN doubt_since INTEGER;
  `,
  // 8: one push, one build, for webhooks among themselves too (catch-up-heads.ts): a second hook, a
  // forge's Replay or test delivery, a body sent again with a new id. `since` is what tells two
  // pushes of one head apart (a push's `before`, a pull request's action); `built` marks the rows
  // of deliveries that queued jobs, the only ones a copy is matched against, so the partial index
  // holds one row per build of a head however often it was delivered. Pull requests join the
  // table (their ref is refs/pull/N/head). Existing rows: a poll has no `before` (''); a push
  // webhook's `before` is read from its payload (GitHub, Gitea and GitLab all name it `before`).
  `
  ALTER TABLE catch_up_heads ADD COLUMN since TEXT NOT NULL DEFAULT '';
  ALTER TABLE catch_up_heads ADD COLUMN built INTEGER NOT NULL DEFAULT 0;
  UPDATE catch_up_heads SET built = 1
    WHERE EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = catch_up_heads.delivery);
  UPDATE catch_up_heads SET since = COALESCE(
      (SELECT CAST(json_extract(d.payload, '$.before') AS TEXT) FROM deliveries d
        WHERE d.id = catch_up_heads.delivery AND json_valid(d.payload)), '')
    WHERE polled = 0;
  DROP INDEX catch_up_heads_polled;
  CREATE INDEX catch_up_heads_built ON catch_up_heads (repo, ref, sha) WHERE built = 1;
  `,
  // 9: the page's actions (src/journal/page-actions.ts): who did what, when and from where, and the
  // aborts asked for a run (a person's, or a newer push's `supersede`), kept until the run starts.
  // `once` is the form's idempotency key: a form posted twice (a double click) acts once.
  `
  CREATE TABLE page_actions (
    id INTEGER PRIMARY KEY,
    once TEXT NOT NULL UNIQUE,
    at INTEGER NOT NULL,
    user TEXT NOT NULL,
    address TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('rebuild', 'build', 'abort')),
    delivery INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    dispatch INTEGER REFERENCES dispatches (id) ON DELETE CASCADE,   -- the one acted on (rebuild, abort)
    made INTEGER REFERENCES dispatches (id) ON DELETE SET NULL,      -- the one it made (rebuild, build)
    what TEXT NOT NULL,
    outcome TEXT NOT NULL
  );
  CREATE INDEX page_actions_delivery ON page_actions (delivery);

  CREATE TABLE run_aborts (
    dispatch INTEGER PRIMARY KEY REFERENCES dispatches (id) ON DELETE CASCADE,
    why TEXT NOT NULL CHECK (why IN ('asked', 'superseded')),
    superseded_by TEXT,          -- the newer commit (why = superseded)
    state TEXT NOT NULL CHECK (state IN ('waiting', 'sent', 'failed')),
    asked_at INTEGER NOT NULL,
    answer TEXT
  );
  `,
  // 10: which of a repository's secrets verified each delivery, by its position in the config's list
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

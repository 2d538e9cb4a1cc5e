// The heads that deliveries brought, checked and written inside the transaction that records a
// delivery: one push builds once, whether it came by webhook, by several webhooks (an organisation
// hook and a repository hook, a forge's Replay or test delivery, a signed body sent again under a
// new delivery id) or by polling its remote, and whichever came first.

import type BetterSqlite3 from "better-sqlite3";

/** The head a push, tag or pull request delivery brought: with `since`, what identifies one push. */
export interface PushedHead {
  /** `owner/name`; compared without case, as the forges compare repository names. */
  repo: string;
  /** The pushed ref, or a pull request's `refs/pull/N/head` (so its number is part of the key). */
  ref: string;
  /**
   * The commit, and for an annotated tag also the tag object: a webhook names one or the other
   * (GitHub's `after` is the tag object, GitLab's `checkout_sha` the commit), `git ls-remote` both.
   */
  shas: readonly string[];
  /** A delivery of its own, found by polling the remote (src/catch-up). */
  polled: boolean;
  /**
   * What tells two pushes of the same head apart: a push's `before`, a pull request's action
   * (`opened` and `synchronize` of one head each build). Empty for a polled head: `git ls-remote`
   * cannot know the `before` a webhook would name.
   */
  since: string;
}

/** The delivery that brought a head first. */
export interface EarlierDelivery {
  /** The journal's id. */
  id: number;
  deliveryId: string;
  /** It was found by polling the remote (catch-up), not sent by the forge. */
  polled: boolean;
}

/**
 * A webhook's question, asked in every push and pull request delivery's transaction: did a
 * delivery that built something bring this push before? It reads catch_up_heads_built (migration
 * 7): the rows of deliveries that queued jobs, one per build of a head, never the copies nor the
 * deliveries that matched nothing. Named, since without statistics SQLite takes the primary key,
 * which walks every delivery that brought the head (10,000 unmatched copies: 10,000 rows).
 *
 * Which earlier build makes a copy of it (each decision is what a user pressing the button expects):
 * - the same `since` (before → after, or a pull request's action and head): the same push again.
 * - a head that a poll built: the poll found the push before its webhook came.
 * - any build of the head on that ref when nothing moved (`since` is the head itself: Gitea's
 *   "Test delivery" sends the default branch with before == after). Testing a hook must not build
 *   a commit again; a fresh hook's first test delivery, of a head never built, still builds, so
 *   the test checks the whole chain.
 * Not a copy: a force-push back to an earlier head (another `before`: the branch moved, and its
 *   user expects a build, as for any push), and a build whose every job failed for good (unknown
 *   job, retries given up): nothing reached Laminar, so a later copy (a Replay once the job
 *   exists) builds. A delivery that matched no job claims nothing either: a copy after the config
 *   was fixed builds. Building again on purpose goes around all of this (`redeliver`, the page's
 *   Rebuild add dispatches to the kept delivery and never ask).
 * The price of keying on before → after: a branch deleted and pushed again at the same commit is the
 * same push (000… → head) and builds nothing new; `redeliver` builds it. A poll, which cannot know
 * `before`, takes any delivery of the head as its own (a force-push back whose webhook was lost is
 * not built by the poll).
 */
export const EARLIER_BUILT_SQL = `
  SELECT d.id AS id, d.delivery_id AS deliveryId, h.polled AS polled
  FROM catch_up_heads h INDEXED BY catch_up_heads_built JOIN deliveries d ON d.id = h.delivery
  WHERE h.repo = @repo AND h.ref = @ref AND h.sha IN (SELECT value FROM json_each(@shas)) AND h.built = 1
    AND (h.polled = 1 OR h.since = @since OR @since IN (SELECT value FROM json_each(@shas)))
    AND d.delivery_id <> @deliveryId
    AND EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = d.id AND x.status <> 'failed')
  ORDER BY d.id LIMIT 1`;

interface Row {
  id: number;
  deliveryId: string;
  polled: number;
}

/**
 * Runs inside the journal's delivery transaction, on its connection, so the check and the record
 * are one atomic step: of two copies arriving at once, one builds. A polled head that any delivery
 * brought before is not a delivery at all (the webhook won, even one that matched no job: polling
 * finds webhooks that never came, and must not add a delivery for every push nobody builds).
 */
export class HeadLedger {
  readonly #earlierAny;
  readonly #earlierBuilt;
  readonly #upsert;
  readonly #markBuilt;

  constructor(db: BetterSqlite3.Database) {
    this.#earlierAny = db.prepare<[string, string, string, string], Row>(`
      SELECT d.id AS id, d.delivery_id AS deliveryId, h.polled AS polled
      FROM catch_up_heads h JOIN deliveries d ON d.id = h.delivery
      WHERE h.repo = ? AND h.ref = ? AND h.sha IN (SELECT value FROM json_each(?)) AND d.delivery_id <> ?
      ORDER BY d.id LIMIT 1`);
    this.#earlierBuilt = db.prepare<[{ repo: string; ref: string; shas: string; since: string; deliveryId: string }], Row>(EARLIER_BUILT_SQL);
    this.#upsert = db.prepare<[string, string, string, number, number, string, number]>(`
      INSERT INTO catch_up_heads (repo, ref, sha, delivery, polled, since, built) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (repo, ref, sha, delivery) DO UPDATE SET since = excluded.since, built = excluded.built`);
    this.#markBuilt = db.prepare<[number]>(`UPDATE catch_up_heads SET built = 1 WHERE delivery = ?`);
  }

  /** The earlier delivery that makes this one a copy, if any (see EARLIER_BUILT_SQL and the class). */
  earlier(head: PushedHead, deliveryId: string): EarlierDelivery | undefined {
    const repo = head.repo.toLowerCase();
    const shas = JSON.stringify(head.shas);
    const row = head.polled
      ? this.#earlierAny.get(repo, head.ref, shas, deliveryId)
      : this.#earlierBuilt.get({ repo, ref: head.ref, shas, since: head.since, deliveryId });
    return row === undefined ? undefined : { id: row.id, deliveryId: row.deliveryId, polled: row.polled === 1 };
  }

  /** Notes that the journal's delivery `id` brought this head, and whether it queued jobs for it. */
  record(head: PushedHead, id: number, built: boolean): void {
    for (const sha of new Set(head.shas)) {
      this.#upsert.run(head.repo.toLowerCase(), head.ref, sha, id, head.polled ? 1 : 0, head.since, built ? 1 : 0);
    }
  }

  /** The delivery built after all (`redeliver` of one that matched nothing): its head is claimed now. */
  markBuilt(id: number): void {
    this.#markBuilt.run(id);
  }
}

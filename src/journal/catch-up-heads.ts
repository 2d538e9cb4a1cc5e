// The heads that push and tag deliveries brought, checked and written inside the transaction that
// records a delivery: a push found by polling and its webhook, whichever comes first, build once.

import type BetterSqlite3 from "better-sqlite3";

/** The branch or tag head a push or tag delivery brought. */
export interface PushedHead {
  /** `owner/name`; compared without case, as the forges compare repository names. */
  repo: string;
  ref: string;
  /**
   * The commit, and for an annotated tag also the tag object: a webhook names one or the other
   * (GitHub's `after` is the tag object, GitLab's `checkout_sha` the commit), `git ls-remote` both.
   */
  shas: readonly string[];
  /** A delivery of its own, found by polling the remote (src/catch-up). */
  polled: boolean;
}

/** The delivery that brought a head first. */
export interface EarlierDelivery {
  /** The journal's id. */
  id: number;
  deliveryId: string;
}

/**
 * A webhook's question, asked in every push delivery's transaction: did a polled delivery that
 * queued jobs bring this head? It reads catch_up_heads_polled (migration 6), never the webhooks'
 * own rows, however often one head was delivered.
 */
export const EARLIER_POLLED_SQL = `
  SELECT d.id AS id, d.delivery_id AS deliveryId FROM catch_up_heads h JOIN deliveries d ON d.id = h.delivery
  WHERE h.repo = ? AND h.ref = ? AND h.sha IN (SELECT value FROM json_each(?)) AND d.delivery_id <> ?
    AND h.polled = 1 AND EXISTS (SELECT 1 FROM dispatches x WHERE x.delivery = d.id)
  ORDER BY d.id LIMIT 1`;

/**
 * Runs inside the journal's delivery transaction, on its connection. A polled head that any
 * delivery brought before is not a delivery at all (the webhook won). A webhook whose head a polled
 * delivery brought and queued jobs for is a duplicate of it (the poll won). Two webhooks never make
 * each other duplicates here: each has its own delivery id, and a forge's "test delivery" or a second
 * hook is meant to build.
 */
export class HeadLedger {
  readonly #earlierAny;
  readonly #earlierPolled;
  readonly #insert;

  constructor(db: BetterSqlite3.Database) {
    this.#earlierAny = db.prepare<[string, string, string, string], EarlierDelivery>(`
      SELECT d.id AS id, d.delivery_id AS deliveryId FROM catch_up_heads h JOIN deliveries d ON d.id = h.delivery
      WHERE h.repo = ? AND h.ref = ? AND h.sha IN (SELECT value FROM json_each(?)) AND d.delivery_id <> ?
      ORDER BY d.id LIMIT 1`);
    this.#earlierPolled = db.prepare<[string, string, string, string], EarlierDelivery>(EARLIER_POLLED_SQL);
    this.#insert = db.prepare<[string, string, string, number, number]>(
      `INSERT OR IGNORE INTO catch_up_heads (repo, ref, sha, delivery, polled) VALUES (?, ?, ?, ?, ?)`,
    );
  }

  /** The other delivery that makes this one a duplicate, if any (see the class). */
  earlier(head: PushedHead, deliveryId: string): EarlierDelivery | undefined {
    const statement = head.polled ? this.#earlierAny : this.#earlierPolled;
    return statement.get(head.repo.toLowerCase(), head.ref, JSON.stringify(head.shas), deliveryId);
  }

  /** Notes that the journal's delivery `id` brought this head. */
  record(head: PushedHead, id: number): void {
    for (const sha of new Set(head.shas)) this.#insert.run(head.repo.toLowerCase(), head.ref, sha, id, head.polled ? 1 : 0);
  }
}

// What catch-up keeps between passes (src/catch-up): the heads each polled remote had, and the
// deliveries it asked a forge to send again. On the journal's connection, in its own tables
// (migration 2); the heads deliveries brought are catch-up-heads.ts, written with each delivery.

import type BetterSqlite3 from "better-sqlite3";
import { HeadLedger, type EarlierDelivery } from "./catch-up-heads.ts";
import { guardJournal } from "./journal-error.ts";

/** One ref's head as a poll saw it: what it names, and the commit that comes to. */
export interface StoredHead {
  sha: string;
  peeled: string;
}

/** What the last successful poll of a repository saw. */
export interface PolledState {
  /** The remote polled, without userinfo: another remote is polled afresh. */
  remote: string;
  polledAt: number;
  heads: Map<string, StoredHead>;
}

/** A delivery catch-up asked a forge to send again, and what the forge answered. */
interface AskedRedelivery {
  forge: string;
  guid: string;
  repo: string;
  hookId: number;
  /** The forge's id of the attempt sent again. */
  forgeDelivery: number;
  event: string;
  askedAt: number;
  /** "accepted" ("202" before GitLab joined), or the status and message of a refusal. */
  answer: string;
}

export class CatchUpStore {
  readonly #db: BetterSqlite3.Database;
  readonly #heads: HeadLedger;
  readonly #statements;

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
    this.#heads = guardJournal(() => new HeadLedger(db));
    this.#statements = guardJournal(() => ({
      remote: db.prepare<[string], { remote: string; polled_at: number }>(`SELECT remote, polled_at FROM catch_up_remotes WHERE repo = ?`),
      heads: db.prepare<[string], { ref: string; sha: string; peeled: string }>(
        `SELECT ref, sha, peeled FROM catch_up_remote_heads WHERE repo = ?`,
      ),
      saveRemote: db.prepare<[string, string, number]>(`
        INSERT INTO catch_up_remotes (repo, remote, polled_at) VALUES (?, ?, ?)
        ON CONFLICT (repo) DO UPDATE SET remote = excluded.remote, polled_at = excluded.polled_at`),
      clearHeads: db.prepare<[string]>(`DELETE FROM catch_up_remote_heads WHERE repo = ?`),
      saveHead: db.prepare<[string, string, string, string]>(
        `INSERT INTO catch_up_remote_heads (repo, ref, sha, peeled) VALUES (?, ?, ?, ?)`,
      ),
      journaled: db.prepare<[string, string], string>(
        `SELECT delivery_id FROM deliveries WHERE forge = ? AND delivery_id IN (SELECT value FROM json_each(?))`,
      ).pluck(),
      asked: db.prepare<[string, string], string>(
        `SELECT guid FROM catch_up_redeliveries WHERE forge = ? AND guid IN (SELECT value FROM json_each(?))`,
      ).pluck(),
      recordAsked: db.prepare<[AskedRedelivery]>(`
        INSERT INTO catch_up_redeliveries (forge, guid, repo, hook_id, forge_delivery, event, asked_at, answer)
        VALUES (@forge, @guid, @repo, @hookId, @forgeDelivery, @event, @askedAt, @answer)
        ON CONFLICT (forge, guid) DO NOTHING`),
      askedSince: db.prepare<[string, string, number, number], number>(
        `SELECT count(*) FROM catch_up_redeliveries WHERE forge = ? AND repo = ? AND hook_id = ? AND asked_at >= ?`,
      ).pluck(),
      forgetAsked: db.prepare<[number]>(`DELETE FROM catch_up_redeliveries WHERE asked_at < ?`),
      redelivered: db.prepare<[string], string>(`SELECT guid FROM catch_up_redeliveries WHERE guid IN (SELECT value FROM json_each(?))`).pluck(),
    }));
  }

  /** The last poll of `repo`, or undefined before its first successful one. */
  polled(repo: string): PolledState | undefined {
    return guardJournal(() => {
      const key = repo.toLowerCase();
      const row = this.#statements.remote.get(key);
      if (row === undefined) return undefined;
      const heads = new Map<string, StoredHead>();
      for (const head of this.#statements.heads.all(key)) heads.set(head.ref, { sha: head.sha, peeled: head.peeled });
      return { remote: row.remote, polledAt: row.polled_at, heads };
    });
  }

  /** Replaces what a poll of `repo` saw, in one transaction. */
  savePolled(repo: string, state: PolledState): void {
    const key = repo.toLowerCase();
    const s = this.#statements;
    guardJournal(() => this.#db.transaction(() => {
      s.saveRemote.run(key, state.remote, state.polledAt);
      s.clearHeads.run(key);
      for (const [ref, head] of state.heads) s.saveHead.run(key, ref, head.sha, head.peeled);
    }).immediate());
  }

  /** Which of these delivery ids of `forge` the journal has (each was answered 2xx). */
  journaled(forge: string, ids: readonly string[]): Set<string> {
    return guardJournal(() => new Set(this.#statements.journaled.all(forge, JSON.stringify(ids))));
  }

  /** Which of these delivery ids catch-up asked `forge` to send again before. */
  asked(forge: string, ids: readonly string[]): Set<string> {
    return guardJournal(() => new Set(this.#statements.asked.all(forge, JSON.stringify(ids))));
  }

  /** Remembers a redelivery asked for, so that it is asked once, also across restarts. */
  recordAsked(asked: AskedRedelivery): void {
    guardJournal(() => this.#statements.recordAsked.run(asked));
  }

  /** How many redeliveries catch-up asked of one hook since `since` (ms): GitLab allows 5 a minute. */
  askedSince(forge: string, repo: string, hookId: number, since: number): number {
    return guardJournal(() => this.#statements.askedSince.get(forge, repo, hookId, since) ?? 0);
  }

  /** Forgets the redeliveries asked before `cutoff` (ms): the forge no longer lists those deliveries. */
  forgetAsked(cutoff: number): number {
    return guardJournal(() => this.#statements.forgetAsked.run(cutoff).changes);
  }

  /** Which of these delivery ids arrived because catch-up asked for them again (for `deliveries`). */
  redelivered(ids: readonly string[]): Set<string> {
    return guardJournal(() => new Set(this.#statements.redelivered.all(JSON.stringify(ids))));
  }

  /** The delivery that brought this head already, webhook or poll, if any. */
  broughtBy(repo: string, ref: string, shas: readonly string[]): EarlierDelivery | undefined {
    return guardJournal(() => this.#heads.earlier({ repo, ref, shas, polled: true, since: "" }, ""));
  }
}

// Reading deliveries back: the de-duplication check, and what `deliveries` and `show` print.

import type BetterSqlite3 from "better-sqlite3";
import type { ForgeName, TraceLine } from "../types.ts";
import {
  DELIVERY_COLUMNS,
  toAttemptRecord,
  toDispatchDetail,
  toDispatchSummary,
  toSummary,
  type AttemptRow,
  type DeliveryRow,
  type DispatchRow,
} from "./journal-rows.ts";
import type { AttemptRecord, DeliveryDetail, DeliveryListItem, DeliveryStatus, DeliverySummary, DispatchSummary } from "./journal-types.ts";

/** The delivery reads; SQLite's errors are the caller's to guard. */
export interface DeliveryReads {
  findDelivery(forge: ForgeName, deliveryId: string): DeliverySummary | undefined;
  listDeliveries(options: { limit?: number; status?: DeliveryStatus }): DeliveryListItem[];
  getDelivery(idOrDeliveryId: number | string): DeliveryDetail | undefined;
  secretUses(forge: ForgeName, repo: string): SecretUse[];
  secretUsesByRepo(forge: ForgeName): RepoSecretUse[];
}

/** When a repository's deliveries last verified with the secret at `index` of the config's list. */
export interface SecretUse {
  index: number;
  lastAt: number;
  count: number;
}

/** One repository's uses of a position, as its deliveries name the repository. */
export interface RepoSecretUse extends SecretUse {
  repo: string;
  /** Its first use after the last use of every position before it; absent when a lower one was used last. */
  takeoverAt?: number;
}

export function prepareDeliveryReads(db: BetterSqlite3.Database): DeliveryReads {
  const s = prepareStatements(db);
  return {
    findDelivery(forge, deliveryId) {
      const row = s.findDelivery.get(forge, deliveryId);
      return row === undefined ? undefined : toSummary(row);
    },

    listDeliveries(options) {
      const rows = s.listDeliveries.all({ status: options.status ?? null, limit: options.limit ?? 50 });
      const jobs = new Map<number, DispatchSummary[]>();
      for (const row of s.dispatchesOf.all(JSON.stringify(rows.map((delivery) => delivery.id)))) {
        const list = jobs.get(row.delivery) ?? [];
        list.push(toDispatchSummary(row));
        jobs.set(row.delivery, list);
      }
      return rows.map((row) => ({ ...toSummary(row), jobs: jobs.get(row.id) ?? [] }));
    },

    secretUses(forge, repo) {
      return s.secretUses.all(forge, repo).map((row) => ({ index: row.secret_index, lastAt: row.last_at, count: row.count }));
    },

    secretUsesByRepo(forge) {
      return s.secretUsesByRepo.all({ forge }).map((row) => ({
        repo: row.repo, index: row.secret_index, lastAt: row.last_at, count: row.count, ...(row.first_at === null ? {} : { takeoverAt: row.first_at }),
      }));
    },

    getDelivery(idOrDeliveryId) {
      const key = String(idOrDeliveryId).trim();
      // Digits are the journal's id first; a GitLab delivery id may be digits too.
      let row = /^\d+$/.test(key) ? s.deliveryById.get(Number(key)) : undefined;
      row ??= typeof idOrDeliveryId === "number" ? undefined : s.deliveryByDeliveryId.get(key);
      if (row === undefined) return undefined;
      const attempts = new Map<number, AttemptRecord[]>();
      for (const attempt of s.attemptsOf.all(row.id)) {
        const list = attempts.get(attempt.dispatch) ?? [];
        list.push(toAttemptRecord(attempt));
        attempts.set(attempt.dispatch, list);
      }
      return {
        ...toSummary(row),
        remoteAddress: row.remote_address,
        secretIndex: row.secret_index,
        headers: JSON.parse(row.headers) as Record<string, string | string[]>,
        payload: row.payload,
        trace: JSON.parse(row.trace) as TraceLine[],
        dispatches: s.dispatchesOf.all(JSON.stringify([row.id])).map((dispatch) => toDispatchDetail(dispatch, attempts.get(dispatch.id) ?? [])),
      };
    },
  };
}

interface SecretUseRow { secret_index: number; last_at: number; count: number }

function prepareStatements(db: BetterSqlite3.Database) {
  return {
    findDelivery: db.prepare<[string, string], DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d WHERE d.forge = ? AND d.delivery_id = ?`,
    ),
    // Names compare without case, as the forges and findRepository do.
    secretUses: db.prepare<[string, string], SecretUseRow>(
      `SELECT secret_index, MAX(received_at) AS last_at, COUNT(*) AS count FROM deliveries
       WHERE forge = ? AND repo = ? COLLATE NOCASE AND secret_index IS NOT NULL GROUP BY secret_index ORDER BY secret_index`,
    ),
    // Per repository: the caller knows which list (the repository's or its forge's) verified each.
    // `first_at` is when a position took over: its first use after the last use of every position
    // before it (null when a lower one was used last). Positions shift when a list is finished and
    // another change begins, so a plain first use could be an older secret's, from months before.
    secretUsesByRepo: db.prepare<[{ forge: string }], SecretUseRow & { repo: string; first_at: number | null }>(`
      WITH used AS (
        SELECT repo, secret_index, MAX(received_at) AS last_at, COUNT(*) AS count FROM deliveries
        WHERE forge = @forge AND repo IS NOT NULL AND secret_index IS NOT NULL GROUP BY repo, secret_index),
      lower AS (
        SELECT a.repo, a.secret_index, MAX(b.last_at) AS lower_last FROM used a
        LEFT JOIN used b ON b.repo = a.repo AND b.secret_index < a.secret_index GROUP BY a.repo, a.secret_index)
      SELECT u.repo, u.secret_index, u.last_at, u.count,
        (SELECT MIN(d.received_at) FROM deliveries d WHERE d.forge = @forge AND d.repo = u.repo AND d.secret_index = u.secret_index
           AND d.received_at > coalesce(l.lower_last, -1)) AS first_at
      FROM used u JOIN lower l ON l.repo = u.repo AND l.secret_index = u.secret_index
      ORDER BY u.repo, u.secret_index`),
    deliveryById: db.prepare<[number], DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM deliveries d WHERE d.id = ?`),
    deliveryByDeliveryId: db.prepare<[string], DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d WHERE d.delivery_id = ? ORDER BY d.received_at DESC, d.id DESC LIMIT 1`,
    ),
    listDeliveries: db.prepare<[{ status: string | null; limit: number }], DeliveryRow>(`
      SELECT * FROM (SELECT ${DELIVERY_COLUMNS} FROM deliveries d ORDER BY d.received_at DESC, d.id DESC)
      WHERE @status IS NULL OR derived_status = @status
      ORDER BY received_at DESC, id DESC
      LIMIT @limit`),
    dispatchesOf: db.prepare<[string], DispatchRow>(
      `SELECT * FROM dispatches WHERE delivery IN (SELECT value FROM json_each(?)) ORDER BY id`,
    ),
    attemptsOf: db.prepare<[number], AttemptRow>(`
      SELECT a.* FROM attempts a JOIN dispatches x ON x.id = a.dispatch WHERE x.delivery = ? ORDER BY a.id`),
  };
}

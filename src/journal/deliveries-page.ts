// One page of deliveries for the deliveries page: filtered by status and repository, paged by a
// cursor rather than an offset, so that deliveries arriving while a person reads do not shift the
// next page. Reads only the columns a list shows: a payload can be 25 MB.

import type BetterSqlite3 from "better-sqlite3";
import type { DeliveryListItem, DeliveryStatus, DispatchSummary } from "./journal-types.ts";
import { DERIVED_STATUS, toDispatchSummary, toSummary, type DispatchSummaryRow, type SummaryRow } from "./journal-rows.ts";

/** A place in the list, newest first: deliveries sort by time received, then journal id. */
export interface PageCursor {
  receivedAt: number;
  id: number;
}

export interface DeliveriesPageQuery {
  status?: DeliveryStatus;
  /** Exactly this repository (full name). */
  repo?: string;
  /** The page of deliveries older than this one; else the newest page. */
  before?: PageCursor;
  /** The page of deliveries newer than this one (paging back); ignored with `before`. */
  after?: PageCursor;
  limit: number;
}

/** A dispatch in a list: its summary and the commit it builds. */
interface ListedDispatch extends DispatchSummary {
  /** The `rev` parameter given to laminarc, when the delivery had one. */
  rev: string | null;
}

export interface ListedDelivery extends DeliveryListItem {
  jobs: ListedDispatch[];
}

export interface DeliveriesPage {
  items: ListedDelivery[];
  /** Where the next (older) page starts, when there is one. */
  older?: PageCursor;
  /** Where the previous (newer) page starts, when there is one. */
  newer?: PageCursor;
  /** The repositories of the latest 1,000 deliveries, for the filter. */
  repos: string[];
  /** Whether the journal holds any delivery at all (the "nothing yet" state). */
  empty: boolean;
}

const RECENT_FOR_REPOS = 1000;

type ListedDispatchRow = DispatchSummaryRow & { delivery: number; rev: string | null };

// `before` pages walk down from the cursor, `after` pages walk up and are turned around. One level,
// the cursor spelled out rather than as a row value, and SQLite's alias in WHERE: so the query walks
// the received_at index (which holds the id as rowid) and stops at LIMIT instead of deriving the
// status of every delivery in the journal first.
const PAGE_SQL = (direction: "DESC" | "ASC", compare: "<" | ">") => `
  SELECT d.id, d.forge, d.delivery_id, d.received_at, d.forge_event, d.kind, d.action, d.repo, d.ref,
    d.sender, d.note, ${DERIVED_STATUS}
  FROM deliveries d
  WHERE (@repo IS NULL OR d.repo = @repo)
    AND (@at IS NULL OR d.received_at ${compare} @at OR (d.received_at = @at AND d.id ${compare} @id))
    -- Rare statuses are found through the dispatches' status index first: a filter that matches
    -- little must not derive the status of every delivery in the journal (177 ms for 100,000).
    AND (@status IS NOT 'failed' OR d.id IN (SELECT delivery FROM dispatches WHERE status = 'failed'))
    AND (@status IS NOT 'queued' OR d.id IN (SELECT delivery FROM dispatches WHERE status IN ('pending', 'running'))
      OR d.id IN (SELECT x.delivery FROM runs r JOIN dispatches x ON x.id = r.dispatch WHERE r.state IN ('queued', 'running')))
    AND (@status IS NULL OR derived_status = @status)
  ORDER BY d.received_at ${direction}, d.id ${direction}
  LIMIT @limit`;

function prepare(db: BetterSqlite3.Database) {
  type PageParams = { repo: string | null; status: string | null; at: number | null; id: number | null; limit: number };
  return {
    older: db.prepare<[PageParams], SummaryRow>(PAGE_SQL("DESC", "<")),
    newer: db.prepare<[PageParams], SummaryRow>(PAGE_SQL("ASC", ">")),
    dispatches: db.prepare<[string], ListedDispatchRow>(`
      SELECT id, delivery, job, status, run, attempts, last_error, json_extract(params, '$.rev') AS rev
      FROM dispatches WHERE delivery IN (SELECT value FROM json_each(?)) ORDER BY id`),
    // Not every delivery's: without an index on repo that reads the whole journal (300 ms for
    // 100,000 deliveries, measured), and the page is read on the service's event loop.
    repos: db.prepare<[], string>(`
      SELECT DISTINCT repo FROM (
        SELECT repo FROM deliveries WHERE repo IS NOT NULL ORDER BY received_at DESC LIMIT ${RECENT_FOR_REPOS})
      ORDER BY repo`).pluck(),
    any: db.prepare<[], number | undefined>(`SELECT 1 FROM deliveries LIMIT 1`).pluck(),
  };
}

const prepared = new WeakMap<BetterSqlite3.Database, ReturnType<typeof prepare>>();

/** One page of deliveries, newest first, each with its jobs. Throws what SQLite throws. */
export function readDeliveriesPage(db: BetterSqlite3.Database, query: DeliveriesPageQuery): DeliveriesPage {
  let s = prepared.get(db);
  if (s === undefined) {
    s = prepare(db);
    prepared.set(db, s);
  }
  const goingBack = query.before === undefined && query.after !== undefined;
  const cursor = query.before ?? query.after;
  // One more than asked tells whether a further page exists.
  const rows = (goingBack ? s.newer : s.older).all({
    repo: query.repo ?? null,
    status: query.status ?? null,
    at: cursor?.receivedAt ?? null,
    id: cursor?.id ?? null,
    limit: query.limit + 1,
  });
  const more = rows.length > query.limit;
  const pageRows = rows.slice(0, query.limit);
  if (goingBack) pageRows.reverse();

  const jobs = new Map<number, ListedDispatch[]>();
  for (const row of s.dispatches.all(JSON.stringify(pageRows.map((row) => row.id)))) {
    const list = jobs.get(row.delivery) ?? [];
    list.push({ ...toDispatchSummary(row), rev: typeof row.rev === "string" ? row.rev : null });
    jobs.set(row.delivery, list);
  }
  const items = pageRows.map((row) => ({ ...toSummary(row), jobs: jobs.get(row.id) ?? [] }));
  const first = items[0];
  const last = items.at(-1);
  // Paging down from a cursor means newer deliveries exist (the cursor's own), and vice versa.
  const hasOlder = goingBack ? cursor !== undefined : more;
  const hasNewer = goingBack ? more : cursor !== undefined;
  return {
    items,
    ...(hasOlder && last ? { older: { receivedAt: last.receivedAt, id: last.id } } : {}),
    ...(hasNewer && first ? { newer: { receivedAt: first.receivedAt, id: first.id } } : {}),
    repos: s.repos.all(),
    empty: s.any.get() === undefined,
  };
}

// The list's query string: `status`, `repo`, and a cursor (`before` or `after`, written
// `RECEIVEDAT-ID`). Parsed once at the edge; anything malformed is a 400 that says what is allowed.

import { DELIVERY_STATUSES } from "../journal/index.ts";
import { HttpError } from "../errors.ts";
import type { DeliveriesPageQuery, DeliveryStatus, PageCursor } from "../journal/index.ts";

export const PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

/** What the filters say, for the form and the paging links. */
export interface ListFilter {
  status?: DeliveryStatus;
  repo?: string;
  limit: number;
}

export function parseListQuery(query: Readonly<Record<string, string | string[] | undefined>>): DeliveriesPageQuery {
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) throw new HttpError(400, `give ${name} once`);
    return value === "" ? undefined : value;
  };
  const status = one("status");
  if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status)) {
    throw new HttpError(400, `status must be one of ${DELIVERY_STATUSES.join(", ")}`);
  }
  const repo = one("repo");
  const limitText = one("limit");
  const limit = limitText === undefined ? PAGE_SIZE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  const before = one("before");
  const after = one("after");
  return {
    limit,
    ...(status ? { status: status as DeliveryStatus } : {}),
    ...(repo ? { repo } : {}),
    ...(before ? { before: parseCursor("before", before) } : after ? { after: parseCursor("after", after) } : {}),
  };
}

function parseCursor(name: string, text: string): PageCursor {
  const match = /^(\d{1,15})-(\d{1,15})$/.exec(text);
  if (!match) throw new HttpError(400, `${name} must be a page cursor as the page's own links give it`);
  return { receivedAt: Number(match[1]), id: Number(match[2]) };
}

/** The list's URL (relative to /ui/) with these filters, at this place. */
export function listHref(filter: ListFilter, cursor?: { before: PageCursor } | { after: PageCursor }): string {
  const params = new URLSearchParams();
  if (filter.status) params.set("status", filter.status);
  if (filter.repo) params.set("repo", filter.repo);
  if (filter.limit !== PAGE_SIZE) params.set("limit", String(filter.limit));
  if (cursor && "before" in cursor) params.set("before", `${cursor.before.receivedAt}-${cursor.before.id}`);
  if (cursor && "after" in cursor) params.set("after", `${cursor.after.receivedAt}-${cursor.after.id}`);
  const text = params.toString();
  return text ? `./?${text}` : "./";
}

// GitLab's project webhooks API, the part redelivery needs (GitLab 17.4+): the project's hooks,
// each hook's logged events (the last 7 days) and "resend". Token: `api` scope, Maintainer role.
// https://docs.gitlab.com/api/project_webhooks/

import type { Secret } from "../../config/secret.ts";
import { callJson } from "../shared/call-json.ts";
import type { HookDelivery, HookLog } from "../shared/hook-log.ts";
import { nextPageUrl } from "../shared/next-page.ts";

/** A busy project's 7 days at 100 a page; past this the rest waits for the next pass. */
const MAX_PAGES = 20;
const TIMEOUT_MS = 30_000;

interface RawHook { id: number; url?: string }
interface RawEvent {
  id: number;
  trigger?: string;
  request_headers?: Record<string, unknown>;
  response_status?: string | number;
}

/** `repo` is the project's full path (`group/sub/name`): the API takes it URL-encoded as its id. */
export function gitLabHooksClient(api: string, token: Secret, repo: string, options: { fetch?: typeof fetch; signal?: AbortSignal } = {}): HookLog {
  const fetcher = options.fetch ?? fetch;
  const project = `${api.replace(/\/+$/, "")}/projects/${encodeURIComponent(repo)}`;

  async function call(method: "GET" | "POST", url: string): Promise<{ body: unknown; headers: Headers }> {
    const secret = token.reveal();
    // Its own timeout, and the service's stop.
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(TIMEOUT_MS)]) : AbortSignal.timeout(TIMEOUT_MS);
    return callJson({ fetch: fetcher, method, url, headers: { "private-token": secret }, signal, token: secret });
  }

  /** Every page: `Link: rel="next"`, or `x-next-page` when a proxy dropped the Link header. */
  async function pages<T>(first: string): Promise<T[]> {
    const all: T[] = [];
    let url: string | undefined = first;
    for (let page = 1; url !== undefined && page <= MAX_PAGES; page += 1) {
      const { body, headers } = await call("GET", url);
      if (!Array.isArray(body)) throw new Error("GitLab answered a list request with something else than a list");
      all.push(...(body as T[]));
      const nextPage = headers.get("x-next-page");
      const fallback: string | undefined = nextPage ? withPage(url, nextPage) : undefined;
      url = nextPageUrl(headers.get("link") ?? undefined) ?? fallback;
    }
    return all;
  }

  return {
    async listHooks() {
      const hooks = await pages<RawHook>(`${project}/hooks?per_page=100`);
      // GitLab disables a failing hook for a while by itself and still logs it: it stays ours.
      return hooks.map((hook) => ({ id: hook.id, url: hook.url, active: true }));
    },
    async listDeliveries(hookId) {
      // Unfiltered: a delivery that never reached anything (connection refused, timeout) is logged
      // as "internal error", with no status code, which no `status=` category selects. GitLab keeps 7 days.
      const events = await pages<RawEvent>(`${project}/hooks/${hookId}/events?per_page=100`);
      return events.flatMap((event): HookDelivery[] => {
        const key = header(event.request_headers, "webhook-id") ?? header(event.request_headers, "idempotency-key");
        // Before 17.4 nothing stays the same across resends: nothing to match the journal on.
        if (key === undefined) return [];
        const status = String(event.response_status ?? "");
        const ok = /^2\d\d$/.test(status);
        return [{
          id: event.id,
          guid: key,
          deliveredAt: 0,
          status: ok ? "OK" : /^\d+$/.test(status) ? `HTTP ${status}` : status || "unknown",
          statusCode: /^\d+$/.test(status) ? Number(status) : 0,
          event: header(event.request_headers, "x-gitlab-event") ?? event.trigger ?? "unknown",
        }];
      });
    },
    async redeliver(hookId, eventId) {
      await call("POST", `${project}/hooks/${hookId}/events/${eventId}/resend`);
    },
  };
}

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

function withPage(url: string, page: string): string {
  const next = new URL(url);
  next.searchParams.set("page", page);
  return next.toString();
}

// GitHub's hooks API, the part catch-up needs: a repository's hooks, their delivery log, and
// "redeliver" (reference/forges.md, "Finding deliveries that never arrived").

import { Octokit } from "@octokit/core";
import type { Secret } from "../../config/secret.ts";
import { formatDuration } from "../../config/units.ts";
import type { HookLog } from "../shared/hook-log.ts";
import { nextPageUrl } from "../shared/next-page.ts";

/** A busy repository's 3 days fit; past this the rest waits for the next pass. */
const MAX_PAGES = 20;
/**
 * One request (one page). GitHub answers a page in well under a second; one that hangs (a proxy
 * that swallowed it, an outage) must not hold the pass, nor the service's stop, any longer.
 */
const GITHUB_REQUEST_TIMEOUT_MS = 30_000;

interface RawHook { id: number; active?: boolean; config?: { url?: string } }
interface RawDelivery { id: number; guid: string; delivered_at: string; status: string; status_code: number; event: string }

interface GitHubHooksOptions {
  fetch?: typeof fetch;
  /** Aborts every request in flight (the service is stopping). */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * The delivery log of `owner/repo`; GitHub's refusals reject with its status and message
 * (Octokit's RequestError), a request past its timeout with an Error that says so. The token is
 * read at each request, not before: a config loaded without its secrets (`catch-up --dry-run` in
 * the operator's shell) fails there, with the reason, as a failed repository of the pass.
 */
export function gitHubHooksClient(api: string, token: Secret, owner: string, repo: string, options: GitHubHooksOptions = {}): HookLog {
  const timeoutMs = options.timeoutMs ?? GITHUB_REQUEST_TIMEOUT_MS;
  const octokit = new Octokit({
    baseUrl: api,
    userAgent: "laminar-hooks",
    // Octokit logs deprecations and request details to the console; the caller logs what matters.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  });

  /** One request, with the token, its own timeout and the caller's abort. */
  async function request(route: string, parameters: Record<string, unknown> = {}): Promise<{ data: unknown; headers: { link?: string } }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      return await octokit.request(route, {
        ...parameters,
        headers: { authorization: `token ${token.reveal()}` },
        request: { signal },
      });
    } catch (error) {
      if (timeout.aborted && options.signal?.aborted !== true) {
        throw new Error(`GitHub did not answer ${route.split(" ")[0]} ${route.split(" ")[1]?.split("?")[0] ?? ""} within ${formatDuration(timeoutMs)}`, { cause: error });
      }
      throw error;
    }
  }

  /** Every page of a list, following `Link: rel="next"` until `enough` says stop. */
  async function pages<T>(first: Promise<{ data: unknown; headers: { link?: string } }>, enough: (items: T[]) => boolean): Promise<T[]> {
    const all: T[] = [];
    let response = await first;
    for (let page = 1; ; page += 1) {
      const items = response.data as T[];
      all.push(...items);
      const next = nextPageUrl(response.headers.link);
      if (next === undefined || page >= MAX_PAGES || enough(items)) return all;
      response = await request(`GET ${next}`);
    }
  }

  return {
    async listHooks() {
      const hooks = await pages<RawHook>(request("GET /repos/{owner}/{repo}/hooks", { owner, repo, per_page: 100 }), () => false);
      return hooks.map((hook) => ({ id: hook.id, url: hook.config?.url, active: hook.active !== false }));
    },
    async listDeliveries(hookId, since) {
      const raw = await pages<RawDelivery>(
        request("GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries", { owner, repo, hook_id: hookId, per_page: 100 }),
        // Newest first: a page that reaches back before `since` is the last one needed.
        (items) => items.some((item) => Date.parse(item.delivered_at) < since),
      );
      return raw
        .map((item) => ({
          id: item.id, guid: item.guid, deliveredAt: Date.parse(item.delivered_at), status: item.status, statusCode: item.status_code, event: item.event,
        }))
        .filter((item) => item.deliveredAt >= since);
    },
    async redeliver(hookId, deliveryId) {
      await request("POST /repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts", {
        owner, repo, hook_id: hookId, delivery_id: deliveryId,
      });
    },
  };
}

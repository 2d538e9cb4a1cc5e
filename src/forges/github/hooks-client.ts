// GitHub's hooks API, the part catch-up needs: a repository's hooks, their delivery log, and
// "redeliver" (reference/forges.md, "Finding deliveries that never arrived").

import { Octokit } from "@octokit/core";
import type { Secret } from "../../config/secret.ts";
import type { HookLog } from "../shared/hook-log.ts";
import { nextPageUrl } from "../shared/next-page.ts";

/** A busy repository's 3 days fit; past this the rest waits for the next pass. */
const MAX_PAGES = 20;

interface RawHook { id: number; active?: boolean; config?: { url?: string } }
interface RawDelivery { id: number; guid: string; delivered_at: string; status: string; status_code: number; event: string }

/** The delivery log of `owner/repo`; GitHub's refusals reject with its status and message (Octokit's RequestError). */
export function gitHubHooksClient(api: string, token: Secret, owner: string, repo: string, options: { fetch?: typeof fetch } = {}): HookLog {
  const octokit = new Octokit({
    auth: token.reveal(),
    baseUrl: api,
    userAgent: "laminar-hooks",
    // Octokit logs deprecations and request details to the console; the caller logs what matters.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  });

  /** Every page of a list, following `Link: rel="next"` until `enough` says stop. */
  async function pages<T>(first: Promise<{ data: unknown; headers: { link?: string } }>, enough: (items: T[]) => boolean): Promise<T[]> {
    const all: T[] = [];
    let response = await first;
    for (let page = 1; ; page += 1) {
      const items = response.data as T[];
      all.push(...items);
      const next = nextPageUrl(response.headers.link);
      if (next === undefined || page >= MAX_PAGES || enough(items)) return all;
      response = await octokit.request(`GET ${next}`);
    }
  }

  return {
    async listHooks() {
      const hooks = await pages<RawHook>(octokit.request("GET /repos/{owner}/{repo}/hooks", { owner, repo, per_page: 100 }), () => false);
      return hooks.map((hook) => ({ id: hook.id, url: hook.config?.url, active: hook.active !== false }));
    },
    async listDeliveries(hookId, since) {
      const raw = await pages<RawDelivery>(
        octokit.request("GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries", { owner, repo, hook_id: hookId, per_page: 100 }),
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
      await octokit.request("POST /repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts", {
        owner, repo, hook_id: hookId, delivery_id: deliveryId,
      });
    },
  };
}

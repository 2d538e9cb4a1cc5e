// GitHub's repository webhooks: create, or update ours in place (reference/forges.md, "Creating and
// updating a repository's webhook"). https://docs.github.com/rest/repos/webhooks

import { Octokit } from "@octokit/core";
import type { EventKind } from "../../types.ts";
import { messageOf, withoutToken } from "../shared/api-answer.ts";
import type { ApiTarget } from "../shared/api-target.ts";
import { boundedSignal } from "../shared/call-json.ts";
import { ForgeApiError } from "../shared/hook-log.ts";
import { nextPageUrl } from "../shared/next-page.ts";
import { networkMessage } from "../shared/post-json.ts";
import { USER_AGENT } from "../shared/status-request.ts";
import type { ApiRequest, RepositoryWebhooks, Webhook, WebhookClientOptions, WebhookDialect, WebhookSpec } from "../shared/webhooks.ts";
import { GITHUB_API_VERSION } from "./status-client.ts";

const MAX_PAGES = 10;
const TIMEOUT_MS = 30_000;

/** A tag arrives as a `push` of refs/tags/…; `ping` GitHub sends by itself. */
const EVENTS: Record<EventKind, string> = { push: "push", tag: "push", pull_request: "pull_request", release: "release" };

function hookConfig(spec: WebhookSpec) {
  // The secret goes in every PATCH too: a `config` without it removes the hook's secret.
  return { url: spec.url, content_type: "json", secret: spec.secret, insecure_ssl: "0" };
}

function repoPath(repo: string): string {
  return `/repos/${repo.split("/").map(encodeURIComponent).join("/")}/hooks`;
}

export const gitHubWebhookDialect: WebhookDialect = {
  hookEvents: (events) => [...new Set(events.map((event) => EVENTS[event]))],
  createRequest: (repo, spec) => ({
    method: "POST",
    path: repoPath(repo),
    body: { name: "web", active: true, events: gitHubWebhookDialect.hookEvents(spec.events), config: hookConfig(spec) },
  }),
  updateRequest: (repo, hook, spec) => ({
    method: "PATCH",
    path: `${repoPath(repo)}/${hook.id}`,
    body: { active: true, events: [...new Set([...hook.events, ...gitHubWebhookDialect.hookEvents(spec.events)])], config: hookConfig(spec) },
  }),
  permission: 'a token that may manage the repository\'s webhooks: fine-grained "Webhooks: read and write" on it, or classic scope `write:repo_hook` (`repo` also works)',
};

interface RawHook {
  id: number;
  active?: boolean;
  events?: string[];
  config?: { url?: string; content_type?: string; insecure_ssl?: string | number };
  last_response?: { code?: number | null; status?: string | null; message?: string | null };
}

function readHook(raw: RawHook): Webhook {
  const last = raw.last_response;
  return {
    id: raw.id,
    url: raw.config?.url,
    active: raw.active !== false,
    contentType: raw.config?.content_type ?? "form",
    events: raw.events ?? [],
    sslVerification: String(raw.config?.insecure_ssl ?? "0") === "0",
    ...(last !== undefined && last.status !== undefined && last.status !== null && last.status !== "unused"
      ? { lastResponse: { code: last.code ?? undefined, status: last.status, message: last.message ?? "" } }
      : {}),
  };
}

/** The hooks of `owner/name`; each refusal rejects with a ForgeApiError (status and GitHub's message). */
export function gitHubWebhooks(target: ApiTarget, repo: string, options: WebhookClientOptions = {}): RepositoryWebhooks {
  const token = target.token.reveal();
  const octokit = new Octokit({
    auth: token,
    baseUrl: target.api.replace(/\/+$/, ""),
    userAgent: USER_AGENT,
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
  });
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;

  async function send(request: ApiRequest | { method: "GET"; url: string }): Promise<{ data: unknown; headers: { link?: string } }> {
    const route = "url" in request ? `GET ${request.url}` : `${request.method} ${request.path}`;
    try {
      return await octokit.request(route, {
        ...("body" in request && request.body !== undefined ? request.body : {}),
        headers: { "x-github-api-version": GITHUB_API_VERSION },
        request: { signal: boundedSignal(options.signal, timeoutMs) },
      });
    } catch (error) {
      const response = (error as { response?: { status: number; data: unknown } }).response;
      if (response === undefined) throw new Error(withoutToken(networkMessage(error), token));
      throw new ForgeApiError(response.status, withoutToken(messageOf(response.data, `HTTP ${response.status}`), token));
    }
  }

  return {
    async list() {
      const hooks: RawHook[] = [];
      let next: string | undefined;
      for (let page = 1; page <= MAX_PAGES; page += 1) {
        const response = await send(next === undefined ? { method: "GET", path: `${repoPath(repo)}?per_page=100` } : { method: "GET", url: next });
        hooks.push(...(response.data as RawHook[]));
        next = nextPageUrl(response.headers.link);
        if (next === undefined) break;
      }
      return hooks.map(readHook);
    },
    async create(spec) {
      return readHook((await send(gitHubWebhookDialect.createRequest(repo, spec))).data as RawHook);
    },
    async update(hook, spec) {
      return readHook((await send(gitHubWebhookDialect.updateRequest(repo, hook, spec))).data as RawHook);
    },
  };
}

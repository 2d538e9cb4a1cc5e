// One API client per forge, as report/ (statuses), catch-up/ (delivery logs), `repo add` and
// `doctor` (hooks) and the page's manual builds (refs) use it: each forge's auth header, API root, paging, timeouts, stop and rate
// limits live in its own folder (src/forges/<forge>/api-client.ts) behind this one shape.

import type { ApiTarget } from "./api-target.ts";
import type { HookLog } from "./hook-log.ts";
import type { RefHeads } from "./ref-heads.ts";
import type { PostStatus } from "./status-request.ts";
import type { RepositoryWebhooks, WebhookClientOptions, WebhookDialect } from "./webhooks.ts";

/** What a client logs through (octokit's own warnings); a pino logger fits. */
export interface ApiLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What every forge's client is made with: a fetch to test with, a log. */
export interface ForgeApiOptions {
  fetch?: typeof fetch;
  log?: ApiLog;
}

export interface ForgeApi {
  /** Commit statuses; absent for Gogs, which has no status API. Never rejects: every failure is an answer. */
  postStatus?: PostStatus;
  /** The pure side of the hooks API: event names, the requests `repo add` sends (and `--dry-run` prints). */
  webhookDialect: WebhookDialect;
  /** A repository's hooks: list, create, update in place. */
  webhooks(target: ApiTarget, repo: string, options?: Omit<WebhookClientOptions, "fetch">): RepositoryWebhooks;
  /** A repository's hooks' delivery logs and "send again": GitHub and GitLab only. */
  hookLog?(target: ApiTarget, repo: string, options?: { signal?: AbortSignal }): HookLog;
  /** Where a repository's branches and tags point: a manual build's head when no git remote is known. */
  refHeads(target: ApiTarget, repo: string, options?: { signal?: AbortSignal; timeoutMs?: number }): RefHeads;
}

// Wiring: each forge's API client by forge name (Forgejo and Gogs through the Gitea family's).

import type { ForgeName } from "../types.ts";
import { giteaApi } from "./gitea/api-client.ts";
import { gitHubApi } from "./github/api-client.ts";
import { gitLabApi } from "./gitlab/api-client.ts";
import type { ForgeApi, ForgeApiOptions } from "./shared/forge-api.ts";

export type { ForgeApi, ApiLog } from "./shared/forge-api.ts";
export type { HookDelivery } from "./shared/hook-log.ts";
export { ForgeApiError } from "./shared/hook-log.ts";
export { refusalWhy } from "./shared/refusal-why.ts";
export type { PostStatus } from "./shared/status-request.ts";
export type { StatusAnswer } from "./shared/api-answer.ts";
export { everyBranch, sendsHere, webhookMatches, type ApiRequest, type Webhook, type WebhookDialect, type WebhookSpec } from "./shared/webhooks.ts";

/** One client per forge, made once and shared (GitHub's throttling groups live in it). */
export function forgeApis(options: ForgeApiOptions = {}): Readonly<Record<ForgeName, ForgeApi>> {
  return Object.freeze({
    github: gitHubApi(options),
    gitea: giteaApi("gitea", options),
    forgejo: giteaApi("forgejo", options),
    gogs: giteaApi("gogs", options),
    gitlab: gitLabApi(options),
  });
}

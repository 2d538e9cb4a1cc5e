// The API client of the Gitea family: `Authorization: token T` at https://HOST/api/v1. Forgejo
// speaks Gitea's API; Gogs its older subset (hooks, no statuses).

import type { ForgeApi, ForgeApiOptions } from "../shared/forge-api.ts";
import { REF_TIMEOUT_MS } from "../shared/ref-heads.ts";
import { giteaRefHeads } from "./refs-client.ts";
import { giteaClient } from "./status-client.ts";
import { giteaWebhookDialect, giteaWebhooks, type GiteaHookType } from "./webhooks.ts";

/** `type` is the hook type the forge knows itself by: gitea, forgejo or gogs. */
export function giteaApi(type: GiteaHookType, options: ForgeApiOptions = {}): ForgeApi {
  const fetchOption = options.fetch === undefined ? {} : { fetch: options.fetch };
  return {
    ...(type === "gogs" ? {} : { postStatus: giteaClient(options) }),
    webhookDialect: giteaWebhookDialect(type),
    webhooks: (target, repo, more = {}) => giteaWebhooks(type, target, repo, { ...more, ...fetchOption }),
    refHeads: (target, repo, more = {}) => giteaRefHeads(type, target, repo, { timeoutMs: REF_TIMEOUT_MS, ...more, ...fetchOption }),
  };
}

// GitLab's API client: `PRIVATE-TOKEN: T` at https://HOST/api/v4, projects by their URL-encoded path.

import type { ForgeApi, ForgeApiOptions } from "../shared/forge-api.ts";
import { REF_TIMEOUT_MS } from "../shared/ref-heads.ts";
import { gitLabHooksClient } from "./hooks-client.ts";
import { gitLabRefHeads } from "./refs-client.ts";
import { gitlabClient } from "./status-client.ts";
import { gitLabWebhookDialect, gitLabWebhooks } from "./webhooks.ts";

export function gitLabApi(options: ForgeApiOptions = {}): ForgeApi {
  const fetchOption = options.fetch === undefined ? {} : { fetch: options.fetch };
  return {
    postStatus: gitlabClient(options),
    webhookDialect: gitLabWebhookDialect,
    webhooks: (target, repo, more = {}) => gitLabWebhooks(target, repo, { ...more, ...fetchOption }),
    hookLog: (target, repo, more = {}) => gitLabHooksClient(target.api, target.token, repo, { ...more, ...fetchOption }),
    refHeads: (target, repo, more = {}) => gitLabRefHeads(target, repo, { timeoutMs: REF_TIMEOUT_MS, ...more, ...fetchOption }),
  };
}

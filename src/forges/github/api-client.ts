// GitHub's API client (and GitHub Enterprise Server's): statuses through a throttled @octokit/core
// per token, hooks and their delivery logs through @octokit/core.

import type { ForgeApi, ForgeApiOptions } from "../shared/forge-api.ts";
import { REF_TIMEOUT_MS } from "../shared/ref-heads.ts";
import { gitHubHooksClient } from "./hooks-client.ts";
import { gitHubRefHeads } from "./refs-client.ts";
import { githubClient } from "./status-client.ts";
import { gitHubWebhookDialect, gitHubWebhooks } from "./webhooks.ts";

export function gitHubApi(options: ForgeApiOptions = {}): ForgeApi {
  const fetchOption = options.fetch === undefined ? {} : { fetch: options.fetch };
  return {
    postStatus: githubClient(options),
    webhookDialect: gitHubWebhookDialect,
    webhooks: (target, repo, more = {}) => gitHubWebhooks(target, repo, { ...more, ...fetchOption }),
    hookLog: (target, repo, more = {}) => {
      const [owner = "", name = ""] = repo.split("/");
      return gitHubHooksClient(target.api, target.token, owner, name, { ...more, ...fetchOption });
    },
    refHeads: (target, repo, more = {}) => gitHubRefHeads(target, repo, { timeoutMs: REF_TIMEOUT_MS, ...more, ...fetchOption }),
  };
}

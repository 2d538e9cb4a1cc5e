// GitLab's project webhooks: create, or update ours in place (reference/forges.md, "Creating and
// updating a repository's webhook"). Bodies are always JSON; the events are flags; changing the URL
// resets the secret token, so every update sends it again. https://docs.gitlab.com/api/project_webhooks/

import type { EventKind } from "../../types.ts";
import type { ApiTarget } from "../shared/api-target.ts";
import { jsonWebhooks } from "../shared/json-webhooks.ts";
import type { RepositoryWebhooks, Webhook, WebhookClientOptions, WebhookDialect } from "../shared/webhooks.ts";

/** The hook's flag for each event a job is routed on. */
const FLAGS: Record<EventKind, string> = {
  push: "push_events",
  tag: "tag_push_events",
  pull_request: "merge_requests_events",
  release: "releases_events",
};
const ALL_FLAGS = [...new Set(Object.values(FLAGS))];

function hooksPath(repo: string): string {
  return `/projects/${encodeURIComponent(repo)}/hooks`;
}

const hookEvents = (events: readonly EventKind[]) => [...new Set(events.map((event) => FLAGS[event]))];

export const gitLabWebhookDialect: WebhookDialect = {
  hookEvents,
  createRequest: (repo, spec) => {
    const wanted = new Set(hookEvents(spec.events));
    return {
      method: "POST",
      path: hooksPath(repo),
      // Every flag said: push_events is on unless told otherwise.
      body: { url: spec.url, token: spec.secret, ...Object.fromEntries(ALL_FLAGS.map((flag) => [flag, wanted.has(flag)])), enable_ssl_verification: true },
    };
  },
  updateRequest: (repo, hook, spec) => ({
    method: "PUT",
    path: `${hooksPath(repo)}/${hook.id}`,
    body: { url: spec.url, token: spec.secret, ...Object.fromEntries(hookEvents(spec.events).map((flag) => [flag, true])), enable_ssl_verification: true },
  }),
  permission: "a token with the `api` scope of a user with the Maintainer role (or higher) on the project",
};

interface RawHook {
  id: number;
  url?: string;
  enable_ssl_verification?: boolean;
  alert_status?: string;
  disabled_until?: string | null;
  [flag: string]: unknown;
}

function readHook(raw: RawHook): Webhook {
  // GitLab disables a failing hook by itself: for a while (temporarily_disabled) or for good (disabled).
  const disabled = raw.alert_status === "disabled" || raw.alert_status === "temporarily_disabled";
  return {
    id: raw.id,
    url: raw.url,
    active: !disabled,
    contentType: "json",
    events: ALL_FLAGS.filter((flag) => raw[flag] === true),
    sslVerification: raw.enable_ssl_verification !== false,
    ...(disabled
      ? { disabledBecause: `GitLab disabled it after failed deliveries (${String(raw.alert_status)}${raw.disabled_until ? ` until ${raw.disabled_until}` : ""})` }
      : {}),
  };
}

/** The hooks of the project `group/sub/name` at `target.api` (https://HOST/api/v4), `PRIVATE-TOKEN: T`. */
export function gitLabWebhooks(target: ApiTarget, repo: string, options: WebhookClientOptions = {}): RepositoryWebhooks {
  return jsonWebhooks<RawHook>(
    { label: "GitLab", auth: (token) => ({ "private-token": token }), listPath: `${hooksPath(repo)}?per_page=100`, dialect: gitLabWebhookDialect, readHook },
    target, repo, options,
  );
}

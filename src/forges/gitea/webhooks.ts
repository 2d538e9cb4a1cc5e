// The webhooks API of the Gitea family (Gitea, Forgejo, and Gogs, whose API Gitea's grew from):
// create, or update ours in place (reference/forges.md, "Creating and updating a repository's
// webhook"). Two traps: `type` is required, and `active` defaults to false.
// https://gitea.com/api/swagger#/repository/repoCreateHook

import type { EventKind } from "../../types.ts";
import type { ApiTarget } from "../shared/api-target.ts";
import { jsonWebhooks } from "../shared/json-webhooks.ts";
import type { RepositoryWebhooks, Webhook, WebhookClientOptions, WebhookDialect, WebhookSpec } from "../shared/webhooks.ts";

/** A tag arrives as a `push` of refs/tags/…; `pull_request` also turns on `pull_request_sync` (Gitea's api utils/hook.go). */
const EVENTS: Record<EventKind, string> = { push: "push", tag: "push", pull_request: "pull_request", release: "release" };

/** The hook type each forge of the family knows itself by: its own payloads and headers. */
export type GiteaHookType = "gitea" | "forgejo" | "gogs";

function hooksPath(repo: string): string {
  return `/repos/${repo.split("/").map(encodeURIComponent).join("/")}/hooks`;
}

export function giteaWebhookDialect(type: GiteaHookType): WebhookDialect {
  const hookEvents = (events: readonly EventKind[]) => [...new Set(events.map((event) => EVENTS[event]))];
  const config = (spec: WebhookSpec) => ({ url: spec.url, content_type: "json", secret: spec.secret });
  return {
    hookEvents,
    createRequest: (repo, spec) => ({
      method: "POST",
      path: hooksPath(repo),
      body: {
        type,
        active: true,
        events: hookEvents(spec.events),
        // Gogs has no branch filter; Gitea's applies only to events with a ref.
        ...(type === "gogs" ? {} : { branch_filter: "*" }),
        config: config(spec),
      },
    }),
    updateRequest: (repo, hook, spec) => ({
      method: "PATCH",
      path: `${hooksPath(repo)}/${hook.id}`,
      body: {
        active: true,
        events: [...new Set([...hook.events, ...hookEvents(spec.events)])],
        // A narrowed filter drops the pushes of the branches outside it before they are sent.
        ...(type === "gogs" ? {} : { branch_filter: "*" }),
        config: config(spec),
      },
    }),
    permission: type === "gogs"
      ? "a token of a user who is an admin of the repository"
      : "a token of a repository admin with scope `write:repository`",
  };
}

interface RawHook { id: number; active?: boolean; events?: string[]; branch_filter?: string; config?: { url?: string; content_type?: string } }

function readHook(raw: RawHook): Webhook {
  return {
    id: raw.id,
    url: raw.config?.url,
    active: raw.active === true,
    contentType: raw.config?.content_type ?? "json",
    events: raw.events ?? [],
    // The Gitea family verifies TLS for every hook unless the whole server says otherwise.
    sslVerification: true,
    // structs.Hook's `branch_filter` (Gitea and Forgejo); Gogs's hooks have none.
    ...(raw.branch_filter === undefined ? {} : { branchFilter: raw.branch_filter }),
  };
}

/** The hooks of `owner/name` at `target.api` (https://HOST/api/v1), `Authorization: token T`. */
export function giteaWebhooks(type: GiteaHookType, target: ApiTarget, repo: string, options: WebhookClientOptions = {}): RepositoryWebhooks {
  return jsonWebhooks<RawHook>(
    { label: type, auth: (token) => ({ authorization: `token ${token}` }), listPath: `${hooksPath(repo)}?limit=50`, dialect: giteaWebhookDialect(type), readHook },
    target, repo, options,
  );
}

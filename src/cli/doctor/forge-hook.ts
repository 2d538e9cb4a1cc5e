// A repository's webhook as each forge's API describes it, read into one shape doctor can judge.
// Pure: the API clients fetch the JSON; these functions only read the fields that matter.

import type { EventKind } from "../../types.ts";

/** One hook of one repository, whatever the forge. */
export interface ForgeHook {
  id: number;
  url: string | undefined;
  /** false: the forge sends it nothing (unchecked "Active"; GitLab: disabled after failures). */
  active: boolean;
  /** How bodies are sent: GitLab always sends JSON. */
  contentType: "json" | "form" | undefined;
  /** The forge's own names of the events it sends; `*` (GitHub) is every event. */
  events: readonly string[];
  /** false: the forge does not verify the service's TLS certificate. */
  sslVerification: boolean;
  /** Gitea's glob on branch names; "" or "*" is every branch. */
  branchFilter?: string;
  /** GitLab turned it off after failures: until when, or for good. */
  disabled?: { until: string | undefined };
}

/** What the forge last tried, and what it got back: `status` is the HTTP code, 0 when nothing answered. */
export interface LastDelivery {
  at: string;
  event: string;
  status: number;
  /** The forge's own words (`OK`, `failed to connect to host`, `internal error`). */
  message: string;
}

/** The forge event names a hook must send for each kind of event (as each forge's normaliser reads them). */
export const HOOK_EVENTS: Readonly<Record<"github" | "gitea" | "gitlab", Readonly<Record<EventKind, readonly string[]>>>> = {
  // GitHub sends a tag as a `push` to refs/tags (src/forges/github/normalise.ts).
  github: { push: ["push"], tag: ["push"], pull_request: ["pull_request"], release: ["release"] },
  // Gitea sends new commits on a pull request as `pull_request_sync`, a hook event of its own
  // (modules/webhook/type.go); a hook without it builds a pull request only when it is opened.
  gitea: { push: ["push"], tag: ["push"], pull_request: ["pull_request", "pull_request_sync"], release: ["release"] },
  gitlab: { push: ["push_events"], tag: ["tag_push_events"], pull_request: ["merge_requests_events"], release: ["releases_events"] },
};

/** GitHub's hook object (docs.github.com/rest/repos/webhooks, `hook` in @octokit/openapi). */
export interface RawGitHubHook {
  id: number;
  active: boolean;
  events: string[];
  config: { url?: string; content_type?: string; insecure_ssl?: string | number };
}

export function readGitHubHook(raw: RawGitHubHook): ForgeHook {
  return {
    id: raw.id,
    url: raw.config.url,
    active: raw.active,
    contentType: contentType(raw.config.content_type ?? "form"), // GitHub's default is form
    events: raw.events,
    sslVerification: String(raw.config.insecure_ssl ?? "0") === "0",
  };
}

/** Gitea's and Forgejo's `Hook` (templates/swagger/v1_json.tmpl): config holds url and content_type. */
export interface RawGiteaHook {
  id: number;
  active: boolean;
  events: string[];
  branch_filter?: string;
  config: Record<string, string | undefined>;
}

export function readGiteaHook(raw: RawGiteaHook): ForgeHook {
  return {
    id: raw.id,
    url: raw.config["url"],
    active: raw.active,
    contentType: contentType(raw.config["content_type"]),
    events: raw.events,
    // Gitea verifies certificates unless the instance's [webhook] SKIP_TLS_VERIFY says otherwise: not per hook.
    sslVerification: true,
    ...(raw.branch_filter === undefined ? {} : { branchFilter: raw.branch_filter }),
  };
}

/**
 * GitLab's project hook (docs.gitlab.com/api/project_webhooks). `alert_status` is `executable`,
 * `temporarily_disabled` (after failing 5xx answers, with `disabled_until`) or `disabled` (for good,
 * after 4xx answers or 40 failures; only a person re-enables it): GitLab's auto-disabling.
 */
export interface RawGitLabHook {
  id: number;
  url: string;
  push_events?: boolean;
  tag_push_events?: boolean;
  merge_requests_events?: boolean;
  releases_events?: boolean;
  enable_ssl_verification?: boolean;
  alert_status?: string;
  disabled_until?: string | null;
  push_events_branch_filter?: string | null;
}

export function readGitLabHook(raw: RawGitLabHook): ForgeHook {
  const events = (["push_events", "tag_push_events", "merge_requests_events", "releases_events"] as const).filter((name) => raw[name] === true);
  const disabled = raw.alert_status === "disabled" || raw.alert_status === "temporarily_disabled";
  return {
    id: raw.id,
    url: raw.url,
    active: !disabled,
    contentType: "json",
    events,
    sslVerification: raw.enable_ssl_verification !== false,
    ...(raw.push_events_branch_filter ? { branchFilter: raw.push_events_branch_filter } : {}),
    ...(disabled ? { disabled: { until: raw.alert_status === "temporarily_disabled" ? raw.disabled_until ?? undefined : undefined } } : {}),
  };
}

function contentType(value: string | undefined): ForgeHook["contentType"] {
  return value === "json" || value === "form" ? value : undefined;
}

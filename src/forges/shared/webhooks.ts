// What `repo add`, `rotate-secret` and `doctor` need of a forge's webhooks API, for one repository:
// its hooks as the forge shows them, and creating or updating one in place (reference/forges.md,
// "Creating and updating a repository's webhook"). Each forge builds its requests with pure
// functions, so that `--dry-run` prints exactly what would be sent.

import type { EventKind, ForgeName } from "../../types.ts";

/** One hook of a repository, read into the same shape for every forge. */
export interface Webhook {
  id: number;
  url: string | undefined;
  active: boolean;
  /** `json` or `form`; GitLab sends JSON only. */
  contentType: string;
  /** The forge's own event names (GitLab: its `*_events` flags that are on). */
  events: readonly string[];
  /** false when the forge is told to skip TLS verification of our certificate. */
  sslVerification: boolean;
  /**
   * Gitea's and Forgejo's glob on the branch of a push (`branch_filter`): "" or "*" is every
   * branch; it does not apply to events without a branch. Absent where the forge has none.
   */
  branchFilter?: string;
  /** Why the forge stopped sending to it by itself, when it says so (GitLab's disabled_until, GitHub's last_response). */
  disabledBecause?: string;
  /** The forge's last answer from us, when its list carries it (GitHub's last_response). */
  lastResponse?: { code: number | undefined; status: string; message: string };
}

/** The hook laminar-hooks wants: our URL, JSON bodies, the events the jobs need, active, TLS verified. */
export interface WebhookSpec {
  url: string;
  /** What the configured jobs are routed on; each forge turns this into its event names. */
  events: readonly EventKind[];
  /** A placeholder in `--dry-run`, the secret's value otherwise. */
  secret: string;
}

/** One request to a forge's API, relative to its root, for `--dry-run` to print and the client to send. */
export interface ApiRequest {
  method: "GET" | "POST" | "PATCH" | "PUT";
  /** Below the API root, with the repository already encoded: `/repos/o/r/hooks/12`. */
  path: string;
  body?: Record<string, unknown>;
}

/** The hooks of one repository through its forge's API; every refusal rejects with a ForgeApiError. */
export interface RepositoryWebhooks {
  list(): Promise<Webhook[]>;
  /** Sends `createRequest(spec)`; resolves with the hook as the forge made it. */
  create(spec: WebhookSpec): Promise<Webhook>;
  /** Sends `updateRequest(hook, spec)`: the same hook (same id and delivery log), changed in place. */
  update(hook: Webhook, spec: WebhookSpec): Promise<Webhook>;
}

/** A forge's pure side of its hooks API. */
export interface WebhookDialect {
  /** The forge's event names for what the jobs are routed on. */
  hookEvents(events: readonly EventKind[]): string[];
  createRequest(repo: string, spec: WebhookSpec): ApiRequest;
  /** Keeps the hook's other events: another use of the same hook is not ours to drop. */
  updateRequest(repo: string, hook: Webhook, spec: WebhookSpec): ApiRequest;
  /** What a token needs to manage hooks, named when the forge refuses one (401, 403, 404). */
  permission: string;
}

/** Whether `hook` already is `spec` in every field the forge shows (the secret never shows). */
export function webhookMatches(dialect: WebhookDialect, hook: Webhook, spec: WebhookSpec): boolean {
  const events = new Set(hook.events);
  return hook.url === spec.url && hook.active && hook.contentType === "json" && hook.sslVerification
    && everyBranch(hook.branchFilter) && dialect.hookEvents(spec.events).every((event) => events.has(event));
}

/** Whether a hook's branch filter lets every branch's pushes through (none, "", or "*"). */
export function everyBranch(branchFilter: string | undefined): boolean {
  return branchFilter === undefined || branchFilter === "" || branchFilter === "*";
}

/** Options every client takes: a fetch to test with, and the stop of the command or service. */
export interface WebhookClientOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Each request's own bound; default 30 s. */
  timeoutMs?: number;
}

/** A hook sends to this service when its URL is public_url, or public_url/FORGE: ours to update, never another's. */
export function sendsHere(url: string | undefined, publicUrl: string, forge: ForgeName = "github"): boolean {
  if (url === undefined) return false;
  const trim = (text: string) => text.replace(/\/+$/, "").toLowerCase();
  return trim(url) === trim(publicUrl) || trim(url) === `${trim(publicUrl)}/${forge}`;
}

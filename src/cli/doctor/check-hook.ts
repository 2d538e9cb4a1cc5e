// One repository's webhook at its forge, judged against the config: does the forge send its pushes
// to us, as JSON, with the events the jobs need, and did the last one arrive?

import type { Webhook, WebhookDialect } from "../../forges/api-clients.ts";
import type { EventKind, ForgeName } from "../../types.ts";
import { problem, warning, type Finding } from "./finding.ts";

export interface HookCheck {
  forge: ForgeName;
  repo: string;
  /** server.public_url: the hook URL repo add creates and catch-up looks for. */
  publicUrl: string;
  /** The kinds of event the repository's jobs are configured for. */
  needs: readonly EventKind[];
  /** The forge's event names for each kind (its API client's dialect). */
  dialect: Pick<WebhookDialect, "hookEvents">;
}

/** What the forge last tried, and what it got back: `status` is the HTTP code, 0 when nothing answered. */
export interface LastDelivery {
  /** ISO time; absent where the forge's log does not say (GitLab's hook events). */
  at?: string;
  event: string;
  status: number;
  /** The forge's own words (`OK`, `failed to connect to host`, `internal error`). */
  message: string;
}

/** The hook doctor judges: the one at exactly our URL, else one at `{public_url}/{forge}`, which the service also takes. */
export function ourHook(check: Pick<HookCheck, "forge" | "publicUrl">, hooks: readonly Webhook[]): Webhook | undefined {
  return hooks.find((hook) => hook.url === check.publicUrl) ?? hooks.find((hook) => hook.url === `${check.publicUrl}/${check.forge}`);
}

export function checkHook(check: HookCheck, hooks: readonly Webhook[]): Finding[] {
  const subject = `${check.forge} ${check.repo} hook`;
  const hook = ourHook(check, hooks);
  const add = `laminar-hooks repo add ${check.repo} --forge ${check.forge} … creates or fixes it`;
  if (hook === undefined) {
    const origin = new URL(check.publicUrl).origin;
    const near = hooks.filter((candidate) => candidate.url !== undefined && sameOrigin(candidate.url, origin));
    if (near.length > 0) {
      return [problem(subject, `no hook points at ${check.publicUrl}; ${near.map((other) => `hook ${other.id} points at ${other.url}`).join(", ")}`,
        `if one of them is meant for laminar-hooks, set its URL to ${check.publicUrl} exactly (or correct server.public_url); if they belong to another service, create ours: ${add}`)];
    }
    // An organisation's (GitHub, Gitea) or group's (GitLab) hook is not in the repository's list.
    return [problem(subject, `no hook of the repository points at ${check.publicUrl}: its pushes are not sent to laminar-hooks`,
      `create it: ${add} (unless a hook of its organisation or group sends them: doctor sees only the repository's own)`)];
  }
  const findings: Finding[] = [];
  const named = `hook ${hook.id}`;
  if (hook.disabledBecause !== undefined) {
    findings.push(problem(subject, `${named} is off: ${hook.disabledBecause}; pushes meanwhile are not sent`,
      "fix what made the deliveries fail (its recent deliveries say, and the problems above), then re-enable it in the hook's settings"));
  } else if (!hook.active) {
    findings.push(problem(subject, `${named} is not active: the forge sends it nothing`, `tick Active in its settings, or ${add}`));
  }
  if (hook.url !== check.publicUrl) {
    findings.push(warning(subject, `${named} points at ${hook.url ?? "nothing"}, which the service takes, but repo add and catch-up look for ${check.publicUrl} exactly`,
      `set its URL to ${check.publicUrl}`));
  }
  if (hook.contentType !== "json") {
    findings.push(problem(subject, `${named} sends ${hook.contentType === "form" ? "form bodies (application/x-www-form-urlencoded)" : `bodies as "${hook.contentType}"`}, not JSON`,
      `set its content type to application/json, or ${add}`));
  }
  const missing = missingEvents(check, hook);
  if (missing.length > 0) {
    findings.push(problem(subject, `${named} does not send ${missing.map((m) => `${m.event} (needed by the ${m.kind} jobs)`).join(", ")}`,
      `add ${missing.length === 1 ? "that event" : "those events"} to the hook, or ${add}`));
  }
  if (!hook.sslVerification) {
    findings.push(warning(subject, `${named} does not verify the service's TLS certificate: anyone in between could read and change deliveries`,
      "turn SSL verification on in the hook's settings"));
  }
  return findings;
}

/** The forge events `needs` require that the hook does not send. */
function missingEvents(check: HookCheck, hook: Webhook): { kind: EventKind; event: string }[] {
  if (hook.events.includes("*")) return [];
  const missing: { kind: EventKind; event: string }[] = [];
  for (const kind of check.needs) {
    for (const event of neededEvents(check, kind)) {
      if (!hook.events.includes(event) && !missing.some((m) => m.event === event)) missing.push({ kind, event });
    }
  }
  return missing;
}

function neededEvents(check: HookCheck, kind: EventKind): string[] {
  const events = check.dialect.hookEvents([kind]);
  // Gitea and Forgejo send new commits on a pull request as `pull_request_sync`, an event a hook
  // lists apart (modules/webhook/type.go; the API turns it on with `pull_request`, the settings
  // page has a box of its own): without it a pull request builds only when it is opened.
  if (kind === "pull_request" && (check.forge === "gitea" || check.forge === "forgejo")) events.push("pull_request_sync");
  return events;
}

/** The forge's last delivery to the hook: a failed one means the last push may not have built. */
export function checkLastDelivery(check: Pick<HookCheck, "forge" | "repo">, hookId: number, last: LastDelivery | undefined): Finding[] {
  if (last === undefined || (last.status >= 200 && last.status < 300)) return [];
  const subject = `${check.forge} ${check.repo} hook`;
  const answer = last.status === 0 ? `got no answer (${last.message})` : `was answered ${last.status}${last.message ? ` (${last.message})` : ""}`;
  return [problem(subject, `the last delivery to hook ${hookId} (${last.event}${last.at === undefined ? "" : `, ${last.at}`}) ${answer}`,
    "see why in `laminar-hooks deliveries` or the service's log (401: the secrets differ; 404: the repository is not in the config; no answer: the service or the proxy is down); "
      + "then redeliver it from the hook's page (catch-up does it by itself for GitHub and GitLab)")];
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

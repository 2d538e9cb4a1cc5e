// One repository's webhook at its forge, judged against the config: does the forge send its pushes
// to us, as JSON, with the events the jobs need, and did the last one arrive?

import type { EventKind, ForgeName } from "../../types.ts";
import { problem, warning, type Finding } from "./finding.ts";
import { HOOK_EVENTS, type ForgeHook, type LastDelivery } from "./forge-hook.ts";

export interface HookCheck {
  forge: Exclude<ForgeName, "gogs">;
  repo: string;
  /** server.public_url: the hook URL repo add creates and catch-up looks for. */
  publicUrl: string;
  /** The kinds of event the repository's jobs are configured for. */
  needs: readonly EventKind[];
}

/** The hook doctor judges: the one at exactly our URL, else one at `{public_url}/{forge}`, which the service also takes. */
export function ourHook(check: Pick<HookCheck, "forge" | "publicUrl">, hooks: readonly ForgeHook[]): ForgeHook | undefined {
  return hooks.find((hook) => hook.url === check.publicUrl) ?? hooks.find((hook) => hook.url === `${check.publicUrl}/${check.forge}`);
}

export function checkHook(check: HookCheck, hooks: readonly ForgeHook[]): Finding[] {
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
    return [problem(subject, `no hook points at ${check.publicUrl}: pushes are never sent to laminar-hooks`, `create it: ${add}`)];
  }
  const findings: Finding[] = [];
  const named = `hook ${hook.id}`;
  if (hook.disabled !== undefined) {
    findings.push(problem(subject, `${check.forge === "gitlab" ? "GitLab" : "the forge"} disabled ${named} after failed deliveries${hook.disabled.until === undefined ? " until someone re-enables it" : ` until ${hook.disabled.until}`}: pushes meanwhile are not sent`,
      "fix what made the deliveries fail (see its Recent events and the problems above), then re-enable it in the hook's settings (Test re-enables it)"));
  } else if (!hook.active) {
    findings.push(problem(subject, `${named} is not active: the forge sends it nothing`, `tick Active in its settings, or ${add}`));
  }
  if (hook.url !== check.publicUrl) {
    findings.push(warning(subject, `${named} points at ${hook.url ?? "nothing"}, which the service takes, but repo add and catch-up look for ${check.publicUrl} exactly`,
      `set its URL to ${check.publicUrl}`));
  }
  if (hook.contentType !== "json") {
    findings.push(problem(subject, `${named} sends ${hook.contentType === "form" ? "form bodies (application/x-www-form-urlencoded)" : "bodies of an unknown content type"}, not JSON`,
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
  if (hook.branchFilter !== undefined && hook.branchFilter !== "" && hook.branchFilter !== "*") {
    findings.push(warning(subject, `${named} only sends pushes to branches matching "${hook.branchFilter}": pushes to others never reach the jobs' branch filters`,
      "clear the hook's branch filter and let the config's branches: decide"));
  }
  return findings;
}

/** The forge events `needs` require that the hook does not send. */
function missingEvents(check: HookCheck, hook: ForgeHook): { kind: EventKind; event: string }[] {
  if (hook.events.includes("*")) return [];
  const missing: { kind: EventKind; event: string }[] = [];
  for (const kind of check.needs) {
    for (const event of HOOK_EVENTS[check.forge === "forgejo" ? "gitea" : check.forge][kind]) {
      if (!hook.events.includes(event) && !missing.some((m) => m.event === event)) missing.push({ kind, event });
    }
  }
  return missing;
}

/** The forge's last delivery to the hook: a failed one means the last push may not have built. */
export function checkLastDelivery(check: Pick<HookCheck, "forge" | "repo">, hookId: number, last: LastDelivery | undefined): Finding[] {
  if (last === undefined || (last.status >= 200 && last.status < 300)) return [];
  const subject = `${check.forge} ${check.repo} hook`;
  const answer = last.status === 0 ? `got no answer (${last.message})` : `was answered ${last.status}${last.message ? ` (${last.message})` : ""}`;
  return [problem(subject, `the last delivery to hook ${hookId} (${last.event}, ${last.at}) ${answer}`,
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

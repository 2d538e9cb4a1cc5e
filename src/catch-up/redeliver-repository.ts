// Redelivery from a forge's webhook log (GitHub; GitLab 17.4+), for one repository: its hooks that
// send to server.public_url, their failed deliveries within the forge's retention, each sent again once.

import type { Secret } from "../config/secret.ts";
import type { CatchUpStore } from "../journal/catch-up-store.ts";
import type { Config } from "../types.ts";
import type { HookLog, LoggedHook } from "../forges/shared/hook-log.ts";
import { sendsHere } from "../forges/shared/webhooks.ts";
import { pickRedeliveries, type HookDelivery } from "./pick-redeliveries.ts";

/** The forges whose API lists a hook's failed deliveries and sends one again. */
export type LoggingForge = "github" | "gitlab";
const LOGGING_FORGES: readonly LoggingForge[] = ["github", "gitlab"];

/** GitLab resends at most 5 events a minute per hook; more are refused with 429. */
export const GITLAB_RESENDS_PER_MINUTE = 5;

/** GitHub keeps a hook's deliveries 3 days, GitHub Enterprise Server and GitLab 7 (reference/forges.md). */
export function retentionMs(api: string, forge: LoggingForge = "github"): number {
  return (forge === "github" && new URL(api).hostname === "api.github.com" ? 3 : 7) * 86_400_000;
}

/** A repository whose forge's delivery log catch-up reads. */
export interface RedeliverTarget {
  forge: LoggingForge;
  /** The exact name: `owner/name` on GitHub, the project's full path on GitLab. */
  repo: string;
  api: string;
  token: Secret;
  publicUrl: string;
}

/**
 * Repositories with `forge: github` or `gitlab`, an exact name and a token (their own or the
 * forge's), when the forge's `api` is known, `server.public_url` says which hooks are this
 * service's and `catch_up.redeliver` is on.
 */
export function redeliverTargets(config: Config, repo?: string): RedeliverTarget[] {
  const publicUrl = config.server.publicUrl;
  if (!config.catchUp.redeliver || publicUrl === undefined) return [];
  const wanted = repo?.toLowerCase();
  const targets: RedeliverTarget[] = [];
  for (const entry of config.repositories) {
    const forge = LOGGING_FORGES.find((name) => name === entry.forge);
    const api = forge === undefined ? undefined : config.forges[forge]?.api;
    const token = entry.token ?? (forge === undefined ? undefined : config.forges[forge]?.token);
    if (forge === undefined || api === undefined || token === undefined || !exactName(forge, entry.repo)) continue;
    if (wanted !== undefined && entry.repo.toLowerCase() !== wanted) continue;
    targets.push({ forge, repo: entry.repo, api, token, publicUrl });
  }
  return targets;
}

/** Not a glob; `owner/name` on GitHub, any depth of groups on GitLab. */
function exactName(forge: LoggingForge, repo: string): boolean {
  const parts = repo.split("/");
  if (parts.length < 2 || parts.some((part) => part === "") || /[*?[\]{}()!]/.test(repo)) return false;
  return forge === "gitlab" || parts.length === 2;
}

export { sendsHere } from "../forges/shared/webhooks.ts";

export type RedeliveryFinding = {
  guid: string;
  event: string;
  /** Why the forge's attempt failed, in its words. */
  status: string;
  kind: "asked" | "would-ask" | "refused" | "failed" | "deferred";
  /** The forge's answer to a refused or failed request. */
  answer?: string;
};

export interface RedeliverReport {
  forge: LoggingForge;
  repo: string;
  outcome: "failed" | "checked";
  reason?: string;
  hooks: number;
  findings: RedeliveryFinding[];
}

interface RedeliverOptions {
  store: CatchUpStore;
  client: HookLog;
  now: () => number;
  dryRun: boolean;
  /** Redeliveries this pass may still ask for: GitHub limits content-creating requests (80 a minute). */
  budget: { left: number };
}

/** Never rejects: a forge that cannot be asked is a report with a reason. */
export async function redeliverRepository(target: RedeliverTarget, options: RedeliverOptions): Promise<RedeliverReport> {
  const base = { forge: target.forge, repo: target.repo };
  let hooks: LoggedHook[] = [];
  const findings: RedeliveryFinding[] = [];
  try {
    hooks = (await options.client.listHooks()).filter((hook) => hook.active && sendsHere(hook.url, target.publicUrl, target.forge));
    const since = options.now() - retentionMs(target.api, target.forge);
    for (const hook of hooks) {
      const deliveries: HookDelivery[] = await options.client.listDeliveries(hook.id, since);
      const guids = deliveries.map((delivery) => delivery.guid);
      const known = { journaled: options.store.journaled(target.forge, guids), asked: options.store.asked(target.forge, guids) };
      const picked = pickRedeliveries(deliveries, known);
      // GitLab's own limit per hook, counted on what the journal remembers asking: also across passes and restarts.
      let hookLeft = target.forge === "gitlab"
        ? GITLAB_RESENDS_PER_MINUTE - options.store.askedSince("gitlab", target.repo, hook.id, options.now() - 60_000)
        : Infinity;
      for (const redelivery of picked) {
        const finding = { guid: redelivery.guid, event: redelivery.event, status: redelivery.status };
        if (options.dryRun) {
          findings.push({ ...finding, kind: "would-ask" });
          continue;
        }
        if (options.budget.left <= 0 || hookLeft <= 0) {
          findings.push({ ...finding, kind: "deferred" });
          continue;
        }
        options.budget.left -= 1;
        hookLeft -= 1;
        const asked = await ask(options.client, hook.id, redelivery.id);
        if (asked.remember) {
          options.store.recordAsked({
            forge: target.forge, guid: redelivery.guid, repo: target.repo, hookId: hook.id, forgeDelivery: redelivery.id,
            event: redelivery.event, askedAt: options.now(), answer: asked.answer,
          });
        }
        findings.push({ ...finding, kind: asked.kind, ...(asked.kind === "asked" ? {} : { answer: asked.answer }) });
      }
    }
  } catch (error) {
    return { ...base, outcome: "failed", reason: describeError(error), hooks: hooks.length, findings };
  }
  return { ...base, outcome: "checked", hooks: hooks.length, findings };
}

/**
 * 2xx: asked. A 4xx is the forge refusing this one (too old, gone): remembered, not asked again.
 * A network error, a 5xx, a rate limit (429, GitHub's 403) say nothing about the delivery: asked
 * again next pass.
 */
async function ask(client: HookLog, hookId: number, deliveryId: number) {
  try {
    await client.redeliver(hookId, deliveryId);
    return { kind: "asked" as const, remember: true, answer: "accepted" };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    const refused = typeof status === "number" && status >= 400 && status < 500 && status !== 429 && status !== 403;
    return { kind: refused ? ("refused" as const) : ("failed" as const), remember: refused, answer: describeError(error) };
  }
}

/** The forge's status and message; never the request (its headers carry the token). */
function describeError(error: unknown): string {
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : String(error);
  return typeof status === "number" ? `${status} ${message}`.slice(0, 500) : message.slice(0, 500);
}

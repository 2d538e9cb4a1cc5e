// Redelivery from GitHub's delivery log, for one repository: its hooks that send to
// server.public_url, their failed deliveries within GitHub's retention, each sent again once.

import type { Secret } from "../config/secret.ts";
import type { CatchUpStore } from "../journal/catch-up-store.ts";
import type { Config } from "../types.ts";
import type { GitHubHook, GitHubHooksClient } from "./github-hooks-client.ts";
import { pickRedeliveries, type HookDelivery } from "./pick-redeliveries.ts";

/** GitHub keeps a hook's deliveries 3 days; GitHub Enterprise Server 7 (reference/forges.md). */
export function retentionMs(api: string): number {
  return (new URL(api).hostname === "api.github.com" ? 3 : 7) * 86_400_000;
}

/** A repository whose GitHub delivery log catch-up reads. */
export interface RedeliverTarget {
  repo: string;
  owner: string;
  name: string;
  api: string;
  token: Secret;
  publicUrl: string;
}

/**
 * Repositories with `forge: github`, an exact name and a token (their own or the forge's), when
 * `server.public_url` says which hooks are this service's and `catch_up.redeliver` is on.
 */
export function redeliverTargets(config: Config, repo?: string): RedeliverTarget[] {
  const publicUrl = config.server.publicUrl;
  const github = config.forges.github;
  if (!config.catchUp.redeliver || publicUrl === undefined || github?.api === undefined) return [];
  const wanted = repo?.toLowerCase();
  const targets: RedeliverTarget[] = [];
  for (const entry of config.repositories) {
    const token = entry.token ?? github.token;
    const [owner, name, ...rest] = entry.repo.split("/");
    if (entry.forge !== "github" || token === undefined || !owner || !name || rest.length > 0 || /[*?[\]{}()!]/.test(entry.repo)) continue;
    if (wanted !== undefined && entry.repo.toLowerCase() !== wanted) continue;
    targets.push({ repo: entry.repo, owner, name, api: github.api, token, publicUrl });
  }
  return targets;
}

/** A hook sends to this service when its URL is public_url, or public_url/github. */
export function sendsHere(url: string | undefined, publicUrl: string): boolean {
  if (url === undefined) return false;
  const trim = (text: string) => text.replace(/\/+$/, "").toLowerCase();
  return trim(url) === trim(publicUrl) || trim(url) === `${trim(publicUrl)}/github`;
}

export type RedeliveryFinding = {
  guid: string;
  event: string;
  /** Why GitHub's attempt failed, in its words. */
  status: string;
  kind: "asked" | "would-ask" | "refused" | "failed" | "deferred";
  /** GitHub's answer to a refused or failed request. */
  answer?: string;
};

export interface RedeliverReport {
  repo: string;
  outcome: "failed" | "checked";
  reason?: string;
  hooks: number;
  findings: RedeliveryFinding[];
}

export interface RedeliverOptions {
  store: CatchUpStore;
  client: GitHubHooksClient;
  now: () => number;
  dryRun: boolean;
  /** Redeliveries this pass may still ask for: GitHub limits content-creating requests (80 a minute). */
  budget: { left: number };
}

/** Never rejects: a forge that cannot be asked is a report with a reason. */
export async function redeliverRepository(target: RedeliverTarget, options: RedeliverOptions): Promise<RedeliverReport> {
  const base = { repo: target.repo };
  let hooks: GitHubHook[] = [];
  const findings: RedeliveryFinding[] = [];
  try {
    hooks = (await options.client.listHooks(target.owner, target.name)).filter((hook) => hook.active && sendsHere(hook.url, target.publicUrl));
    const since = options.now() - retentionMs(target.api);
    for (const hook of hooks) {
      const deliveries: HookDelivery[] = await options.client.listDeliveries(target.owner, target.name, hook.id, since);
      const guids = deliveries.map((delivery) => delivery.guid);
      const picked = pickRedeliveries(deliveries, { journaled: options.store.journaled("github", guids), asked: options.store.asked("github", guids) });
      for (const redelivery of picked) {
        const finding = { guid: redelivery.guid, event: redelivery.event, status: redelivery.status };
        if (options.dryRun) {
          findings.push({ ...finding, kind: "would-ask" });
          continue;
        }
        if (options.budget.left <= 0) {
          findings.push({ ...finding, kind: "deferred" });
          continue;
        }
        options.budget.left -= 1;
        const asked = await ask(options.client, target, hook.id, redelivery.id);
        if (asked.remember) {
          options.store.recordAsked({
            forge: "github", guid: redelivery.guid, repo: target.repo, hookId: hook.id, forgeDelivery: redelivery.id,
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
 * 202: asked. A 4xx is GitHub refusing this one (too old, gone): remembered, not asked again. A
 * network error or a 5xx says nothing about the delivery: asked again next pass.
 */
async function ask(client: GitHubHooksClient, target: RedeliverTarget, hookId: number, deliveryId: number) {
  try {
    await client.redeliver(target.owner, target.name, hookId, deliveryId);
    return { kind: "asked" as const, remember: true, answer: "202" };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    const refused = typeof status === "number" && status >= 400 && status < 500 && status !== 429 && status !== 403;
    return { kind: refused ? ("refused" as const) : ("failed" as const), remember: refused, answer: describeError(error) };
  }
}

/** GitHub's status and message; never the request (its headers carry the token). */
function describeError(error: unknown): string {
  const status = (error as { status?: unknown }).status;
  const message = error instanceof Error ? error.message : String(error);
  return typeof status === "number" ? `${status} ${message}`.slice(0, 500) : message.slice(0, 500);
}

// Asks a forge about one repository's hook and its last delivery, then judges them (check-hook.ts).

import { ForgeApiError, type ForgeApi, type HookDelivery } from "../../forges/api-clients.ts";
import { checkBranchFilter } from "./check-branch-filter.ts";
import { checkHook, checkLastDelivery, ourHook, type LastDelivery } from "./check-hook.ts";
import { describeNetworkError } from "./describe-network-error.ts";
import { note, problem, type Finding } from "./finding.ts";
import type { HookTarget } from "./hook-targets.ts";

/** How far back the last delivery is looked for: GitHub keeps 3 days of deliveries, GitLab's log a few more. */
const DELIVERY_LOOKBACK_MS = 7 * 86_400_000;

/** Never rejects: a forge that refuses or does not answer is a finding. */
export async function probeHook(api: ForgeApi, target: HookTarget, publicUrl: string, options: { timeoutMs: number; now: number }): Promise<Finding[]> {
  const subject = `${target.forge} ${target.repo} hook`;
  const apiTarget = { api: target.api, token: target.token };
  let hooks;
  try {
    hooks = await api.webhooks(apiTarget, target.repo, { timeoutMs: options.timeoutMs }).list();
  } catch (error) {
    return [refused(subject, error, api.webhookDialect.permission)];
  }
  const check = { forge: target.forge, repo: target.repo, publicUrl, needs: target.needs, dialect: api.webhookDialect };
  const findings = checkHook(check, hooks);
  const hook = ourHook(check, hooks);
  if (hook === undefined) return findings;
  findings.push(...checkBranchFilter(subject, hook.id, hook.branchFilter, target.pushJobs));
  if (api.hookLog === undefined) {
    findings.push(note(subject, `${target.forge}'s API does not show a hook's deliveries: the last one was not checked`,
      "see Recent Deliveries on the hook's settings page"));
    return findings;
  }
  try {
    const signal = AbortSignal.timeout(options.timeoutMs);
    const deliveries = await api.hookLog(apiTarget, target.repo, { signal }).listDeliveries(hook.id, options.now - DELIVERY_LOOKBACK_MS);
    findings.push(...checkLastDelivery(check, hook.id, lastDelivery(deliveries)));
  } catch (error) {
    findings.push(refused(subject, error, api.webhookDialect.permission, "its deliveries"));
  }
  return findings;
}

function lastDelivery(deliveries: readonly HookDelivery[]): LastDelivery | undefined {
  // Both logs list the newest first; GitLab's carries no time (deliveredAt 0), so ties keep the first.
  const newest = deliveries.reduce<HookDelivery | undefined>((latest, delivery) => (latest === undefined || delivery.deliveredAt > latest.deliveredAt ? delivery : latest), undefined);
  if (newest === undefined) return undefined;
  return {
    ...(newest.deliveredAt > 0 ? { at: new Date(newest.deliveredAt).toISOString() } : {}),
    event: newest.event, status: newest.statusCode, message: newest.status,
  };
}

/** A refusal names the permission the token needs; no answer says why. Neither shows the token. */
function refused(subject: string, error: unknown, permission: string, what = "its hooks"): Finding {
  if (error instanceof ForgeApiError) {
    const why = error.status === 401 ? "the token was refused (401)"
      : error.status === 403 ? "the token may not read them (403)"
      : error.status === 404 ? "the repository was not found (404): a token without access to it gets that answer too"
      : `the forge answered ${error.status}`;
    return problem(subject, `could not read ${what}: ${why}: ${error.message}`,
      error.status >= 500 ? "try again later; if it lasts, check the forge's status" : `give the token what it needs: ${permission}`);
  }
  return problem(subject, `could not read ${what}: ${describeNetworkError(error)}`, "check the forge's api in the config and that this machine reaches it");
}

import type { HookEvent, JobRequest, RepositoryConfig, RoutingResult, TraceLine } from "../types.ts";
import { buildParams } from "./build-params.ts";
import { buildReason } from "./build-reason.ts";
import { matchJob } from "./match-job.ts";
import { renderTemplate } from "./render-template.ts";

/**
 * The jobs a delivery starts, with their parameters, and for every job of the repository the
 * reason it matched or not. Pure: the same event and rules always give the same answer.
 * `payload` is the delivery's parsed JSON, for `{{ payload.… }}` in params.
 */
export function route(
  event: HookEvent, repository: RepositoryConfig, deliveryId: string, payload: unknown,
): RoutingResult {
  const trace: TraceLine[] = [];
  const jobs: JobRequest[] = [];
  const builtIns = buildParams(event, deliveryId);
  const reason = buildReason(event);
  for (const rule of repository.jobs) {
    const match = matchJob(rule, event);
    trace.push({ job: rule.job, matched: match.matched, reason: match.reason });
    if (!match.matched) continue;
    const params: Record<string, string> = { ...builtIns };
    for (const [name, template] of Object.entries(rule.params)) params[name] = renderTemplate(template, builtIns, payload);
    jobs.push({
      job: rule.job,
      params,
      host: rule.host ?? "",
      reason,
    });
  }
  const note = event.deleted ? `a ${event.kind === "tag" ? "tag" : "branch"} deletion starts nothing` : undefined;
  return { jobs, trace, ...(note ? { note } : {}) };
}

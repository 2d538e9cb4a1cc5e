// The journal's records → what the page shows. Pure: the same facts `deliveries` and `show` give,
// in the shape of view-model.ts. When run states and commit statuses reach the journal, they are
// mapped here onto JobView.runState and JobView.statuses.

import { attemptLine, queueCommand } from "./describe-delivery.ts";
import { isSecretHeader } from "../config/secret.ts";
import type { DeliveryDetail, DeliverySummary, DispatchDetail, DispatchSummary, ListedDelivery } from "../journal/index.ts";
import { runUrl } from "../laminar/run-url.ts";
import type { DeliveryDetailView, DeliveryRowView, DispatchView, JobView, RunView } from "./view-model.ts";

/** What the views need from the config: where Laminar's pages are, for links. */
export interface ViewContext {
  baseUrl?: string;
}

export function toRowView(item: ListedDelivery, context: ViewContext): DeliveryRowView {
  const commit = item.jobs.find((job) => job.rev)?.rev;
  return {
    ...rowFields(item),
    ...(commit ? { commit } : {}),
    jobs: item.jobs.map((job) => toJobView(job, context)),
  };
}

export function toDetailView(detail: DeliveryDetail, context: ViewContext): DeliveryDetailView {
  const commit = detail.dispatches.map((dispatch) => dispatch.params.rev).find(Boolean);
  return {
    ...rowFields(detail),
    ...(commit ? { commit } : {}),
    jobs: detail.dispatches.map((dispatch) => toJobView(dispatch, context)),
    deliveryId: detail.deliveryId,
    forgeEvent: detail.forgeEvent,
    ...(detail.sender ? { sender: detail.sender } : {}),
    ...(detail.remoteAddress ? { remoteAddress: detail.remoteAddress } : {}),
    // The journal never keeps these (filterHeaders); checked again because this page may be public.
    headers: Object.entries(detail.headers)
      .filter(([name]) => !isSecretHeader(name))
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value] as const),
    // Matched jobs first: what was built is what a person looks for; the order is otherwise kept.
    trace: [...detail.trace].sort((a, b) => Number(b.matched) - Number(a.matched)),
    dispatches: detail.dispatches.map((dispatch) => toDispatchView(dispatch, context)),
  };
}

function rowFields(item: DeliverySummary): Omit<DeliveryRowView, "jobs" | "commit"> {
  return {
    id: item.id,
    receivedAt: item.receivedAt,
    forge: item.forge,
    event: item.action ? `${item.kind}/${item.action}` : item.kind,
    ...(item.repo ? { repo: item.repo } : {}),
    ...(item.ref ? { ref: item.ref } : {}),
    status: item.status,
    ...(item.note ? { note: item.note } : {}),
  };
}

function toJobView(job: DispatchSummary, context: ViewContext): JobView {
  return {
    dispatchId: job.id,
    job: job.job,
    status: job.status,
    ...(job.run ? { run: toRunView(job.run, context) } : {}),
    attempts: job.attempts,
    ...(job.lastError ? { lastError: job.lastError } : {}),
  };
}

export function toRunView(run: string, context: ViewContext): RunView {
  const url = runUrl(context.baseUrl, run);
  return url ? { label: run, url } : { label: run };
}

function toDispatchView(dispatch: DispatchDetail, context: ViewContext): DispatchView {
  return {
    ...toJobView(dispatch, context),
    command: queueCommand(dispatch),
    reason: dispatch.reason,
    ...(dispatch.status === "pending" && dispatch.attempts > 0 ? { nextAttemptAt: dispatch.nextAttemptAt } : {}),
    attemptLog: dispatch.attemptLog.map((attempt) => ({
      startedAt: attempt.startedAt,
      outcome: attempt.outcome,
      summary: attemptLine(attempt),
      failed: attempt.outcome !== "queued",
      stdout: attempt.stdout.trim(),
      stderr: attempt.stderr.trim(),
    })),
  };
}

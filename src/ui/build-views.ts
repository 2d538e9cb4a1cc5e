// The journal's records → what the page shows. Pure: the same facts `deliveries` and `show` give,
// in the shape of view-model.ts, worded by the CLI's own helpers.

import { attemptLine, queueCommand } from "./describe-delivery.ts";
import { foundBy } from "./found-by.ts";
import { formatRunState, formatRunTimes, runDuration } from "./format-run.ts";
import { statusAnswer, statusProgress } from "./format-status.ts";
import { isSecretHeader } from "../config/secret.ts";
import type { DeliveryDetail, DeliverySummary, DispatchDetail, DispatchSummary, ListedDelivery, RunRecord } from "../journal/index.ts";
import type { StatusPostRecord } from "../journal/status-outbox.ts";
import { runUrl } from "../laminar/run-url.ts";
import type { CommitStatusView, DeliveryDetailView, DeliveryRowView, DispatchView, JobView, RunStateView, RunView } from "./view-model.ts";

/** What the views need from the config: where Laminar's pages are, for links. */
export interface ViewContext {
  baseUrl?: string;
}

/** What the journal knows beside the delivery: its runs, its status posts, and catch-up's redeliveries. */
export interface DeliveryFacts {
  /** Runs by dispatch id, oldest first. */
  runs: ReadonlyMap<number, readonly RunRecord[]>;
  /** The delivery's status posts, oldest first. */
  statuses: readonly StatusPostRecord[];
  /** Forge delivery ids catch-up asked the forge to send again. */
  redelivered: ReadonlySet<string>;
}

const NO_FACTS: DeliveryFacts = { runs: new Map(), statuses: [], redelivered: new Set() };

export function toRowView(item: ListedDelivery, context: ViewContext, facts: DeliveryFacts = NO_FACTS): DeliveryRowView {
  const commit = item.jobs.find((job) => job.rev)?.rev;
  return {
    ...rowFields(item, facts),
    ...(commit ? { commit } : {}),
    // The list shows what the forge shows now: the latest post per context.
    jobs: item.jobs.map((job) => toJobView(job, context, facts, latestPerContext)),
  };
}

export function toDetailView(detail: DeliveryDetail, context: ViewContext, facts: DeliveryFacts = NO_FACTS): DeliveryDetailView {
  const commit = detail.dispatches.map((dispatch) => dispatch.params.rev).find(Boolean);
  return {
    ...rowFields(detail, facts),
    ...(commit ? { commit } : {}),
    jobs: detail.dispatches.map((dispatch) => toJobView(dispatch, context, facts, latestPerContext)),
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
    dispatches: detail.dispatches.map((dispatch) => toDispatchView(dispatch, context, facts)),
  };
}

function rowFields(item: DeliverySummary, facts: DeliveryFacts): Omit<DeliveryRowView, "jobs" | "commit"> {
  const found = foundBy(item, facts.redelivered);
  return {
    ...(found ? { foundBy: found } : {}),
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

type PickStatuses = (posts: readonly StatusPostRecord[]) => readonly StatusPostRecord[];

function toJobView(job: DispatchSummary, context: ViewContext, facts: DeliveryFacts, pick: PickStatuses): JobView {
  const runs = facts.runs.get(job.id) ?? [];
  const statuses = pick(facts.statuses.filter((post) => post.dispatchId === job.id));
  return {
    dispatchId: job.id,
    job: job.job,
    status: job.status,
    ...(job.run ? { run: toRunView(job.run, context) } : {}),
    attempts: job.attempts,
    ...(job.lastError ? { lastError: job.lastError } : {}),
    ...(runs.length > 0 ? { runs: runs.map((run) => toRunStateView(run, context)) } : {}),
    ...(statuses.length > 0 ? { statuses: statuses.map(toStatusView) } : {}),
  };
}

function toRunStateView(run: RunRecord, context: ViewContext): RunStateView {
  const durationMs = runDuration(run);
  return {
    run: toRunView(`${run.job}:${run.number}`, context),
    state: run.state,
    label: formatRunState(run),
    times: formatRunTimes(run),
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(run.note === null ? {} : { note: run.note }),
    ...(run.requeuedAs === null ? {} : { requeuedAs: toRunView(run.requeuedAs, context) }),
  };
}

function toStatusView(post: StatusPostRecord): CommitStatusView {
  const answer = statusAnswer(post);
  const progress = statusProgress(post);
  return {
    context: post.context,
    state: post.state,
    ...(post.description ? { description: post.description } : {}),
    ...(post.targetUrl ? { targetUrl: post.targetUrl } : {}),
    at: post.updatedAt,
    delivery: post.status,
    ...(progress ? { progress } : {}),
    ...(answer ? { answer } : {}),
  };
}

function latestPerContext(posts: readonly StatusPostRecord[]): StatusPostRecord[] {
  const latest = new Map<string, StatusPostRecord>();
  for (const post of posts) latest.set(post.context, post);
  return [...latest.values()];
}

function everyPost(posts: readonly StatusPostRecord[]): readonly StatusPostRecord[] {
  return posts;
}

function toRunView(run: string, context: ViewContext): RunView {
  const url = runUrl(context.baseUrl, run);
  return url ? { label: run, url } : { label: run };
}

function toDispatchView(dispatch: DispatchDetail, context: ViewContext, facts: DeliveryFacts): DispatchView {
  return {
    // Each post, as `show` lists them: the page says what was sent and what each answer was.
    ...toJobView(dispatch, context, facts, everyPost),
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

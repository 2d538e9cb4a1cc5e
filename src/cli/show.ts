import type { DeliveryDetail, DispatchDetail, RunRecord } from "../journal/index.ts";
import type { StatusPostRecord } from "../journal/status-outbox.ts";
import { formatStatus } from "../ui/format-status.ts";
import { runUrl } from "../laminar/run-url.ts";
import { formatRunLine } from "../ui/format-run.ts";
import type { Config } from "../types.ts";
import { attemptLine, queueCommand, traceLine } from "../ui/describe-delivery.ts";
import { formatTime } from "../ui/format-time.ts";
import { describeAbort, describeAction } from "../ui/describe-action.ts";
import type { PageActionRecord, RunAbortRecord } from "../journal/index.ts";
import type { CommandIO } from "./io.ts";
import { findDelivery, readingJournal } from "./with-journal.ts";

/** `show ID`: one delivery, by journal id or the forge's delivery id, with everything known of it. */
export function showCommand(config: Config, id: string, options: { json: boolean }, io: CommandIO): Promise<number> {
  return readingJournal(config, io, (journal) => {
    const found = findDelivery(journal, config, id, io);
    if (!found) return 1;
    // Each dispatch with the Laminar runs it became (a lost run, then the one queued instead), and
    // the commit statuses its runs posted.
    const runs = journal.runsOf(found.dispatches.map((dispatch) => dispatch.id));
    const statuses = journal.statusOutbox.postsOfDelivery(found.id);
    const detail = {
      ...found,
      dispatches: found.dispatches.map((dispatch) => {
        const abort = journal.actions.abortOf(dispatch.id);
        return {
          ...dispatch,
          runs: runs.get(dispatch.id) ?? [],
          statuses: statuses.filter((post) => post.dispatchId === dispatch.id),
          ...(abort === undefined ? {} : { abort }),
        };
      }),
      // What people did from the deliveries page: rebuilds, a manual build, aborts.
      actions: journal.actions.ofDelivery(found.id),
    };
    io.out(options.json ? JSON.stringify(detail, null, 2) : formatDetail(detail, config));
    return 0;
  });
}

function formatDetail(
  detail: DeliveryDetail & {
    dispatches: (DispatchDetail & { runs: RunRecord[]; statuses: StatusPostRecord[]; abort?: RunAbortRecord })[];
    actions: PageActionRecord[];
  },
  config: Config,
): string {
  const lines = [
    `delivery ${detail.id}: ${detail.forge} ${detail.forgeEvent} ${detail.deliveryId}`,
    `  received  ${formatTime(detail.receivedAt)} UTC from ${detail.remoteAddress ?? "?"}${detail.secretIndex === null || detail.secretIndex === undefined ? "" : `, verified with secret #${detail.secretIndex + 1} of the config's list`}`,
    `  event     ${detail.kind}${detail.action ? ` (${detail.action})` : ""} on ${detail.repo ?? "-"} ${detail.ref ?? ""}${detail.sender ? ` by ${detail.sender}` : ""}`,
    `  status    ${detail.status}${detail.note ? `: ${detail.note}` : ""}`,
    "headers:",
    ...Object.entries(detail.headers).map(([name, value]) => `  ${name}: ${Array.isArray(value) ? value.join(", ") : value}`),
    "routing:",
    ...(detail.trace.length > 0
      ? detail.trace.map((line) => `  ${traceLine(line)}`)
      : [`  ${detail.note ?? "nothing to route"}`]),
  ];
  for (const dispatch of detail.dispatches) {
    const url = dispatch.run ? runUrl(config.laminar.baseUrl, dispatch.run) : undefined;
    const link = url ? ` ${url}` : "";
    lines.push(`dispatch ${dispatch.id}: ${dispatch.job} ${dispatch.status}${dispatch.run ? ` as ${dispatch.run}${link}` : ""}, ${dispatch.attempts} attempt(s)`);
    if (dispatch.status === "pending" && dispatch.attempts > 0) lines.push(`  next attempt ${formatTime(dispatch.nextAttemptAt)} UTC`);
    for (const run of dispatch.runs) lines.push(formatRunLine(run, config.laminar.baseUrl));
    if (dispatch.abort) lines.push(`  abort: ${describeAbort(dispatch.abort)}`);
    if (dispatch.lastError && dispatch.status !== "done") lines.push(`  last error: ${dispatch.lastError}`);
    lines.push(`  ${queueCommand(dispatch)}`);
    lines.push(`  LAMINAR_REASON=${JSON.stringify(dispatch.reason)}`);
    for (const attempt of dispatch.attemptLog) {
      lines.push(`  ${attemptLine(attempt)}`);
      if (attempt.stdout.trim()) lines.push(`    stdout: ${attempt.stdout.trim()}`);
      if (attempt.stderr.trim()) lines.push(`    stderr: ${attempt.stderr.trim()}`);
    }
    for (const post of dispatch.statuses) lines.push(formatStatus(post));
  }
  if (detail.actions.length > 0) {
    lines.push("actions:");
    for (const action of detail.actions) lines.push(`  ${formatTime(action.at)} UTC ${describeAction(action)}`);
  }
  return lines.join("\n");
}

import type { DeliveryDetail } from "../journal/index.ts";
import { StatusOutbox, type StatusPostRecord } from "../journal/status-outbox.ts";
import type { Config } from "../types.ts";
import { formatTime } from "./format-time.ts";
import type { CommandIO } from "./io.ts";
import { findDelivery, withJournal } from "./with-journal.ts";

/** `show ID`: one delivery, by journal id or the forge's delivery id, with everything known of it. */
export function showCommand(config: Config, id: string, options: { json: boolean }, io: CommandIO): number {
  return withJournal(config, (journal) => {
    const detail = findDelivery(journal, config, id, io);
    if (!detail) return 1;
    const statuses = new StatusOutbox(journal.database).postsOfDelivery(detail.id);
    if (options.json) {
      // Each dispatch with the commit statuses its run posted.
      const dispatches = detail.dispatches.map((dispatch) => ({ ...dispatch, statuses: statuses.filter((post) => post.dispatchId === dispatch.id) }));
      io.out(JSON.stringify({ ...detail, dispatches }, null, 2));
    } else {
      io.out(formatDetail(detail, config, statuses));
    }
    return 0;
  });
}

function formatDetail(detail: DeliveryDetail, config: Config, statuses: readonly StatusPostRecord[]): string {
  const lines = [
    `delivery ${detail.id}: ${detail.forge} ${detail.forgeEvent} ${detail.deliveryId}`,
    `  received  ${formatTime(detail.receivedAt)} UTC from ${detail.remoteAddress ?? "?"}`,
    `  event     ${detail.kind}${detail.action ? ` (${detail.action})` : ""} on ${detail.repo ?? "-"} ${detail.ref ?? ""}${detail.sender ? ` by ${detail.sender}` : ""}`,
    `  status    ${detail.status}${detail.note ? `: ${detail.note}` : ""}`,
    "headers:",
    ...Object.entries(detail.headers).map(([name, value]) => `  ${name}: ${Array.isArray(value) ? value.join(", ") : value}`),
    "routing:",
    ...(detail.trace.length > 0
      ? detail.trace.map((line) => `  ${line.matched ? "✓" : "✗"} ${line.job}: ${line.reason}`)
      : [`  ${detail.note ?? "nothing to route"}`]),
  ];
  for (const dispatch of detail.dispatches) {
    const link = dispatch.run && config.laminar.baseUrl ? ` ${config.laminar.baseUrl}/jobs/${dispatch.run.replace(":", "/")}` : "";
    lines.push(`dispatch ${dispatch.id}: ${dispatch.job} ${dispatch.status}${dispatch.run ? ` as ${dispatch.run}${link}` : ""}, ${dispatch.attempts} attempt(s)`);
    if (dispatch.status === "pending" && dispatch.attempts > 0) lines.push(`  next attempt ${formatTime(dispatch.nextAttemptAt)} UTC`);
    if (dispatch.lastError && dispatch.status !== "done") lines.push(`  last error: ${dispatch.lastError}`);
    lines.push(`  laminarc queue ${dispatch.job} ${Object.entries(dispatch.params).map(([k, v]) => JSON.stringify(`${k}=${v}`)).join(" ")}`);
    lines.push(`  LAMINAR_REASON=${JSON.stringify(dispatch.reason)}`);
    for (const attempt of dispatch.attemptLog) {
      const exit = attempt.signal ? `signal ${attempt.signal}` : `exit ${attempt.exitCode ?? "?"}`;
      lines.push(`  attempt at ${formatTime(attempt.startedAt)}: ${attempt.outcome}, ${exit}, ${attempt.durationMs} ms${attempt.message ? `: ${attempt.message}` : ""}`);
      if (attempt.stdout.trim()) lines.push(`    stdout: ${attempt.stdout.trim()}`);
      if (attempt.stderr.trim()) lines.push(`    stderr: ${attempt.stderr.trim()}`);
    }
    for (const post of statuses) if (post.dispatchId === dispatch.id) lines.push(formatStatus(post));
  }
  return lines.join("\n");
}

/** `  status failure "laminar/app" on 3f2c1a9: refused, 422 No commit found for SHA` */
function formatStatus(post: StatusPostRecord): string {
  const answer = [post.answerStatus ?? "", post.answerMessage ?? ""].join(" ").trim();
  const tries = post.attempts > 1 ? ` after ${post.attempts} attempts` : "";
  const next = post.status === "pending" && post.attempts > 0 ? `, next attempt ${formatTime(post.nextAttemptAt)} UTC` : "";
  return `  status ${post.state} ${JSON.stringify(post.context)} on ${post.sha.slice(0, 7)}: ${post.status}${tries}${next}${answer ? `, ${answer}` : ""} (${post.description})`;
}

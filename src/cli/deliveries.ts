import { type DeliveryListItem, type DeliveryStatus, type DispatchSummary } from "../journal/index.ts";
import type { RunRecord } from "../journal/index.ts";
import type { StatusPostRecord } from "../journal/status-outbox.ts";
import type { Config } from "../types.ts";
import { shortRef } from "../ui/describe-delivery.ts";
import { foundBy } from "../ui/found-by.ts";
import { formatTime } from "../ui/format-time.ts";
import { formatRunState } from "../ui/format-run.ts";
import type { CommandIO } from "./io.ts";
import { readingJournal } from "./with-journal.ts";

interface DeliveriesOptions {
  limit: number;
  status?: DeliveryStatus;
  json: boolean;
}

/** `deliveries`: recent deliveries, newest first, each with its jobs and their Laminar runs. */
export function deliveriesCommand(config: Config, options: DeliveriesOptions, io: CommandIO): Promise<number> {
  return readingJournal(config, io, (journal) => {
    const listed = journal.listDeliveries({ limit: options.limit, ...(options.status ? { status: options.status } : {}) });
    const redelivered = journal.catchUp.redelivered(listed.map((item) => item.deliveryId));
    // Each job with the Laminar runs it became, as they are followed.
    const dispatchIds = listed.flatMap((item) => item.jobs.map((job) => job.id));
    const runs = journal.runsOf(dispatchIds);
    // And the commit status each last posted (or tried to): what the forge shows, or why it does not.
    const statuses = journal.statusOutbox.latestOfDispatches(dispatchIds);
    const items = listed.map((item) => {
      const found = foundBy(item, redelivered);
      const jobs = item.jobs.map((job) => ({ ...job, runs: runs.get(job.id) ?? [], latestStatus: statuses.get(job.id) ?? null }));
      return found === undefined ? { ...item, jobs } : { ...item, jobs, foundBy: found };
    });
    io.out(options.json ? JSON.stringify(items, null, 2) : formatTable(items));
    return 0;
  });
}

type ListedJob = DispatchSummary & { runs: RunRecord[]; latestStatus: StatusPostRecord | null };

function formatTable(items: readonly (DeliveryListItem & { jobs: ListedJob[]; foundBy?: string })[]): string {
  if (items.length === 0) return "no deliveries in the journal";
  const rows = items.map((item) => [
    String(item.id),
    formatTime(item.receivedAt),
    item.forge,
    `${item.action ? `${item.kind}/${item.action}` : item.kind}${item.foundBy ? ` (${item.foundBy})` : ""}`,
    item.repo ?? "-",
    item.ref ? shortRef(item.ref) : "-",
    item.status,
    item.jobs.length > 0 ? item.jobs.map(formatJob).join(", ") : item.note ?? "no job matched",
  ]);
  const header = ["ID", "TIME (UTC)", "FORGE", "EVENT", "REPO", "REF", "STATUS", "JOBS"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

function formatJob(job: ListedJob): string {
  const status = job.latestStatus === null ? "" : ` ${formatLatestStatus(job.latestStatus)}`;
  return `${formatRuns(job)}${status}`;
}

/** `[status success: posted]`, `[status pending: refused 403]`, `[status failure: waiting]`. */
function formatLatestStatus(post: StatusPostRecord): string {
  const outcome = post.status === "pending" || post.status === "sending" ? "waiting" : post.status;
  // The forge's HTTP answer when it said no; `show` gives its message.
  const answer = post.status !== "posted" && post.answerStatus !== null ? ` ${post.answerStatus}` : "";
  return `[status ${post.state}: ${outcome}${answer}]`;
}

function formatRuns(job: ListedJob): string {
  if (job.runs.length > 0) {
    // Followed runs: `app:1 success`; after a laminard restart `app:1 lost → app:4, app:4 running`.
    const runs = job.runs.map((run) => `${run.job}:${run.number} ${formatRunState(run)}`);
    if (job.status !== "done") runs.push(`${job.job} ${job.status}`);
    return runs.join(", ");
  }
  if (job.run) return `${job.run}`;
  return `${job.job} ${job.status}${job.attempts > 0 && job.status !== "done" ? ` (${job.attempts} attempts)` : ""}`;
}

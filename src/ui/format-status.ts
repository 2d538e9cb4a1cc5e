// How a commit status post reads, in `show` and on the deliveries page alike.

import type { StatusPostRecord } from "../journal/status-outbox.ts";
import { formatTime } from "./format-time.ts";

/** `  status failure "laminar/app" on 3f2c1a9: refused, 422 No commit found for SHA` */
export function formatStatus(post: StatusPostRecord): string {
  const answer = statusAnswer(post);
  return `  status ${post.state} ${JSON.stringify(post.context)} on ${post.sha.slice(0, 7)}: ${post.status}${statusProgress(post)}${answer ? `, ${answer}` : ""} (${post.description})`;
}

/** The forge's last answer: `422 No commit found for SHA`; empty before any. */
export function statusAnswer(post: StatusPostRecord): string {
  return [post.answerStatus ?? "", post.answerMessage ?? ""].join(" ").trim();
}

/** ` after 3 attempts, next attempt 2026-11-26 16:40:01 UTC`: how far the poster got with it. */
export function statusProgress(post: StatusPostRecord): string {
  const tries = post.attempts > 1 ? ` after ${post.attempts} attempts` : "";
  const next = post.status === "pending" && post.attempts > 0 ? `, next attempt ${formatTime(post.nextAttemptAt)} UTC` : "";
  return `${tries}${next}`;
}

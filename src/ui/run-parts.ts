// How a job's run, its followed state and its commit statuses read, on the list and the detail
// page alike.

import { formatElapsed } from "./format.ts";
import { html, type Html } from "./html.ts";
import { chip } from "./layout.ts";
import type { CommitStatusView, JobView, RunView } from "./view-model.ts";

/** `job:42` as a link to Laminar's page of the run when its URL is known. */
export function runLink(run: RunView): Html {
  return run.url ? html`<a class="mono run" href="${run.url}">${run.label}</a>` : html`<span class="mono run">${run.label}</span>`;
}

/**
 * One job in a line: its run (or its name while it has none) and where it stands: the followed
 * run state when there is one, else the dispatch's status, with attempts while it is retried.
 */
export function jobLine(job: JobView): Html {
  const name = job.run ? runLink(job.run) : html`<span class="mono">${job.job}</span>`;
  return html`${name} ${jobState(job)}`;
}

/** Where a job stands, as coloured words. */
export function jobState(job: JobView): Html {
  const retries = job.attempts > 1 && job.status !== "done" ? html` <span class="muted small">${job.attempts} attempts</span>` : "";
  return html`${job.runState ? runState(job) : chip(job.status)}${retries}`;
}

function runState(job: JobView): Html {
  const state = job.runState!;
  const took = state.durationMs === undefined ? "" : ` in ${formatElapsed(state.durationMs)}`;
  const next = state.requeuedAs ? html` → ${runLink(state.requeuedAs)}` : "";
  return html`<span title="${state.reason ?? ""}">${chip(state.state, `${state.state}${took}`)}</span>${next}`;
}

/** Commit statuses for a dispatch's commit: what the forge shows, and whether it took it. */
export function commitStatuses(statuses: readonly CommitStatusView[]): Html {
  return html`<table class="kv statuses">
${statuses.map((status) => html`<tr>
<td class="mono">${status.context}</td>
<td>${chip(status.state)} ${chip(status.delivery)}${status.description ? html` ${status.description}` : ""}
${status.targetUrl && /^https?:\/\//.test(status.targetUrl) ? html` <a href="${status.targetUrl}">link</a>` : ""}
${status.answer ? html`<div class="${status.delivery === "refused" ? "error" : "muted"} small">${status.answer}</div>` : ""}</td>
</tr>`)}
</table>`;
}

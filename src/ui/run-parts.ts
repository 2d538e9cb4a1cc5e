// How a job's runs, their followed states and its commit statuses read, on the list and the detail
// page alike: the words `deliveries` and `show` print, as coloured badges.

import { formatDuration } from "../config/units.ts";
import { html, type Html } from "./html.ts";
import { chip } from "./layout.ts";
import type { CommitStatusView, JobView, RunStateView, RunView } from "./view-model.ts";

/** `job:42` as a link to Laminar's page of the run when its URL is known. */
export function runLink(run: RunView): Html {
  return run.url ? html`<a class="mono run" href="${run.url}">${run.label}</a>` : html`<span class="mono run">${run.label}</span>`;
}

/**
 * One job in a line, as `deliveries` prints it: each run it became with its state (`app:1 lost →
 * app:4, app:4 running`), or its run or name with the dispatch's status while no run is followed.
 */
export function jobLine(job: JobView): Html {
  if (job.runs && job.runs.length > 0) {
    const runs = job.runs.map((run, index) => html`${index > 0 ? ", " : ""}${runLink(run.run)} ${runBadge(run)}`);
    return html`${runs}${job.status === "done" ? "" : html` ${chip(job.status)}`}${retries(job)}`;
  }
  const name = job.run ? runLink(job.run) : html`<span class="mono">${job.job}</span>`;
  return html`${name} ${jobState(job)}`;
}

/** Where a job stands, as coloured words: its latest run's state, else the dispatch's status. */
export function jobState(job: JobView): Html {
  const latest = job.runs?.at(-1);
  const status = latest === undefined || job.status !== "done" ? chip(job.status) : "";
  return html`${latest ? runBadge(latest) : ""}${latest && status ? " " : ""}${status}${retries(job)}`;
}

function retries(job: JobView): Html | string {
  return job.attempts > 1 && job.status !== "done" ? html` <span class="muted small">${job.attempts} attempts</span>` : "";
}

/** `success in 1m 3s`, or `lost → job:43` with a link to the run queued instead. */
function runBadge(run: RunStateView): Html {
  if (run.requeuedAs) return html`${chip(run.state)} → ${runLink(run.requeuedAs)}`;
  const took = run.durationMs === undefined ? "" : ` in ${formatDuration(run.durationMs)}`;
  return chip(run.state, `${run.label}${took}`);
}

/** Each run of a dispatch as `show` lists it: link, state, times, and why a lost one was lost. */
export function runList(runs: readonly RunStateView[]): Html {
  return html`<ul class="runs">${runs.map((run) => html`<li class="run-${run.state}">
${runLink(run.run)} ${runBadge(run)} <span class="muted small">${run.times}</span>
${run.note ? html`<div class="${run.state === "lost" ? "error" : "muted"} small note">${run.note}</div>` : ""}
</li>`)}</ul>`;
}

/** The latest status per context, in a line: what the forge shows; a refusal in red with its answer. */
export function statusLine(statuses: readonly CommitStatusView[]): Html {
  return html`${statuses.map((status) => html`<div class="small status-post"><span class="mono">${status.context}</span> ${chip(status.state)}${
    refusedOrFailed(status) ? html` ${chip(status.delivery)} <span class="error">${status.answer ?? ""}</span>` : ""}</div>`)}`;
}

/** Commit statuses for a dispatch's commit: what the forge shows, and whether it took it. */
export function commitStatuses(statuses: readonly CommitStatusView[]): Html {
  return html`<table class="kv statuses">
${statuses.map((status) => html`<tr class="${refusedOrFailed(status) ? "refused" : status.delivery}">
<td class="mono">${status.context}</td>
<td>${chip(status.state)} ${chip(status.delivery)}${status.progress ? html` <span class="muted small">${status.progress.replace(/^,? +/, "")}</span>` : ""}${status.description ? html` ${status.description}` : ""}
${status.targetUrl && /^https?:\/\//.test(status.targetUrl) ? html` <a href="${status.targetUrl}">link</a>` : ""}
${status.answer ? html`<div class="${refusedOrFailed(status) ? "error" : "muted"} small answer">${status.answer}</div>` : ""}</td>
</tr>`)}
</table>`;
}

function refusedOrFailed(status: CommitStatusView): boolean {
  return status.delivery === "refused" || status.delivery === "failed";
}

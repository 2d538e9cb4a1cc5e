// GET /ui/deliveries/ID: one delivery with the facts `show` prints, laid out for a glance: what it
// was, the jobs it started (failures in red with laminarc's message) with their Laminar runs and
// the commit statuses posted, why each job matched or not, then the attempts' output and the
// headers kept.

import type { PageActionRecord } from "../journal/index.ts";
import type { AbortChoice } from "../laminar/abort-choice.ts";
import { abortNote, actionList, actionsOff, dispatchActions, type ActionForms } from "./action-forms.ts";
import { shortRef, traceLine } from "./describe-delivery.ts";
import { formatTime } from "./format-time.ts";
import { shortCommit } from "./format.ts";
import { html, type Html } from "./html.ts";
import { chip, layout, when } from "./layout.ts";
import { commitStatuses, jobState, runLink, runList } from "./run-parts.ts";
import type { DeliveryDetailView, DispatchView } from "./view-model.ts";

/** The page's actions on this delivery: the forms (absent without ui.auth), what was done, each run's abort. */
interface DetailActions {
  forms?: ActionForms;
  records: readonly PageActionRecord[];
  aborts: ReadonlyMap<number, AbortChoice>;
}

export function renderDetailPage(view: DeliveryDetailView, now: number, actions?: DetailActions): string {
  const body = html`<p class="small"><a href="../">« all deliveries</a></p>
<h1>Delivery ${view.id}: ${view.forge} ${view.forgeEvent} ${chip(view.status)}</h1>
${facts(view, now)}
<h2>Jobs</h2>
${actions && !actions.forms ? actionsOff() : ""}
${view.dispatches.length > 0
    ? view.dispatches.map((job) => dispatch(job, now, actions))
    : html`<p class="muted">No job was started: ${view.note ?? "no job of the repository matched (see the routing below)"}.</p>`}
${actions ? actionList(actions.records, now) : ""}
<h2>Routing</h2>
${view.trace.length > 0
    ? html`<ul class="trace">${view.trace.map((line) => html`<li class="${line.matched ? "matched" : "unmatched"}">${traceLine(line)}</li>`)}</ul>`
    : html`<p class="muted">${view.note ?? "nothing to route"}</p>`}
<h2>Headers kept</h2>
<table class="kv headers">
${view.headers.map(([name, value]) => html`<tr><td class="mono">${name}</td><td class="mono">${value}</td></tr>`)}
</table>`;
  return layout({ title: `Delivery ${view.id}`, root: "../", body });
}

function facts(view: DeliveryDetailView, now: number): Html {
  return html`<dl class="facts">
<dt>Delivery id</dt><dd class="mono">${view.deliveryId}</dd>
<dt>Received</dt><dd>${when(view.receivedAt, now)}${view.remoteAddress ? html` from <span class="mono">${view.remoteAddress}</span>` : ""}</dd>
<dt>Event</dt><dd>${view.event}${foundBy(view)}</dd>
<dt>Repository</dt><dd>${view.repo ?? "-"}</dd>
<dt>Ref</dt><dd class="mono">${view.ref ? html`<span title="${view.ref}">${shortRef(view.ref)}</span>` : "-"}</dd>
<dt>Commit</dt><dd class="mono">${view.commit ? html`<span title="${view.commit}">${shortCommit(view.commit)}</span>` : "-"}</dd>
${view.sender ? html`<dt>Sender</dt><dd>${view.sender}</dd>` : ""}
${view.note ? html`<dt>Note</dt><dd>${view.note}</dd>` : ""}
</dl>`;
}

/** How catch-up brought it, in words; the list shows the same as a mark. */
function foundBy(view: DeliveryDetailView): Html | string {
  if (view.foundBy === "poll") return html` ${chip("poll", "found by polling")} <span class="muted small">catch-up found this push on the remote; no webhook brought it</span>`;
  if (view.foundBy === "redelivered") return html` ${chip("redelivered")} <span class="muted small">catch-up asked the forge to send this delivery again</span>`;
  return "";
}

function dispatch(job: DispatchView, now: number, actions: DetailActions | undefined): Html {
  const failed = job.status === "failed" || job.runs?.at(-1)?.state === "failed";
  const abort = actions?.aborts.get(job.dispatchId) ?? { kind: "none" as const };
  const madeBy = actions?.records.find((record) => record.madeDispatchId === job.dispatchId);
  return html`<section class="dispatch${failed ? " failed" : ""}" id="dispatch-${job.dispatchId}">
<header><h3>${job.job}</h3>${job.run ? runLink(job.run) : ""} ${jobState(job)} <span class="muted small">dispatch ${job.dispatchId}, ${job.attempts} attempt(s)</span></header>
${madeBy ? html`<p class="made-by">${madeBy.action === "rebuild" ? "Rebuild" : "Build"} asked by <strong>${madeBy.user}</strong> ${when(madeBy.at, now)}</p>` : ""}
${actions?.forms ? dispatchActions(actions.forms, "../", job.dispatchId, abort) : ""}
${abortNote(abort)}
${job.lastError && job.status !== "done" ? html`<p class="failure">${job.status === "failed" ? "Failed" : "Last error"}: ${job.lastError}</p>` : ""}
${job.runs && job.runs.length > 0 ? runList(job.runs) : ""}
${job.nextAttemptAt === undefined ? "" : html`<p class="muted">Next attempt ${formatTime(job.nextAttemptAt)} UTC</p>`}
<pre class="command">${job.command}
LAMINAR_REASON=${JSON.stringify(job.reason)}</pre>
${job.statuses && job.statuses.length > 0 ? html`<h4>Commit statuses</h4>${commitStatuses(job.statuses)}` : ""}
${job.attemptLog.length > 0 ? html`<ol class="attempts">${job.attemptLog.map((attempt) => html`<li class="${attempt.failed ? "failed" : "ok"}">
<div class="line">${attempt.summary}</div>
${attempt.stdout ? html`<pre class="stdout">${attempt.stdout}</pre>` : ""}
${attempt.stderr ? html`<pre class="stderr">${attempt.stderr}</pre>` : ""}
</li>`)}</ol>` : html`<p class="muted">No attempt yet.</p>`}
</section>`;
}

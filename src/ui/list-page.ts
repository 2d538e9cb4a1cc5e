// GET /ui/: recent deliveries, newest first, with a plain GET form for the filters (it works
// without JavaScript) and cursor links for paging.

import { DELIVERY_STATUSES } from "../journal/index.ts";
import { shortRef } from "./describe-delivery.ts";
import type { PageCursor } from "../journal/index.ts";
import { actionsOff, buildForm, type ActionForms, type BuildTarget } from "./action-forms.ts";
import { shortCommit } from "./format.ts";
import { html, type Html } from "./html.ts";
import { chip, layout, when } from "./layout.ts";
import { listHref, PAGE_SIZE, type ListFilter } from "./list-query.ts";
import { jobLine, statusLine } from "./run-parts.ts";
import type { DeliveryRowView } from "./view-model.ts";

interface ListPage {
  rows: readonly DeliveryRowView[];
  filter: ListFilter;
  /** Every repository in the journal, for the filter's choices. */
  repos: readonly string[];
  older?: PageCursor;
  newer?: PageCursor;
  /** The journal holds no delivery at all. */
  empty: boolean;
  /** `laminar-hooks send …` for this config, for the "nothing yet" state. */
  sendHint: string;
  now: number;
  /** The build form (absent without ui.auth: a line says how to enable it); absent: no actions at all. */
  actions?: { forms?: ActionForms; targets: readonly BuildTarget[] };
}

export function renderListPage(page: ListPage): string {
  const actions = page.actions ? (page.actions.forms ? buildForm(page.actions.forms, page.actions.targets) : actionsOff()) : "";
  const body = page.empty
    ? html`${nothingYet(page.sendHint)}${actions}`
    : html`<h1>Deliveries</h1>
${actions}
${filters(page)}
${page.rows.length > 0 ? table(page) : html`<p class="empty">No delivery matches these filters. <a href="./">Show all deliveries</a></p>`}
${paging(page)}`;
  return layout({ title: "Deliveries", root: "./", body });
}

function nothingYet(hint: string): Html {
  return html`<h1>Deliveries</h1>
<div class="empty">
<h2>Nothing yet</h2>
<p>No delivery has reached this service. Send a signed test delivery, as a forge's "test delivery" button would, from this machine:</p>
<pre><code>${hint}</code></pre>
<p class="muted">Then point the forge's webhook at the same URL, with the same secret. Each delivery shows here with why it built what it built.</p>
</div>`;
}

function filters(page: ListPage): Html {
  const { status, repo } = page.filter;
  // A repository asked for but no longer in the journal stays selectable, so the form says what is shown.
  const repos = repo && !page.repos.includes(repo) ? [repo, ...page.repos] : page.repos;
  return html`<form class="filters" method="get" action="./">
<label>Status <select name="status">
<option value="">any</option>
${DELIVERY_STATUSES.map((name) => html`<option value="${name}"${name === status ? html` selected` : ""}>${name}</option>`)}
</select></label>
<label>Repository <select name="repo">
<option value="">any</option>
${repos.map((name) => html`<option value="${name}"${name === repo ? html` selected` : ""}>${name}</option>`)}
</select></label>
${page.filter.limit === PAGE_SIZE ? "" : html`<input type="hidden" name="limit" value="${page.filter.limit}">`}
<button type="submit">Filter</button>
${status || repo ? html`<a href="./">clear</a>` : ""}
</form>`;
}

function table(page: ListPage): Html {
  return html`<table class="deliveries">
<thead><tr><th>Received</th><th>Forge</th><th>Event</th><th>Repository</th><th>Ref</th><th>Commit</th><th>Status</th><th>Jobs</th></tr></thead>
<tbody>
${page.rows.map((row) => html`<tr>
<td class="time nowrap" data-label="Received"><a href="deliveries/${row.id}" title="delivery ${row.id}">${when(row.receivedAt, page.now)}</a></td>
<td class="nowrap" data-label="Forge">${row.forge}</td>
<td class="nowrap" data-label="Event">${row.event}${row.foundBy ? html` ${chip(row.foundBy)}` : ""}</td>
<td data-label="Repository">${row.repo ?? "-"}</td>
<td data-label="Ref" class="mono">${row.ref ? shortRef(row.ref) : "-"}</td>
<td class="mono nowrap" data-label="Commit">${row.commit ? html`<span title="${row.commit}">${shortCommit(row.commit)}</span>` : "-"}</td>
<td class="nowrap" data-label="Status">${chip(row.status)}</td>
<td data-label="Jobs">${row.jobs.length > 0
    ? html`<ul class="jobs">${row.jobs.map((job) => html`<li>${jobLine(job)}${job.status === "failed" && job.lastError ? html` <span class="error small">${job.lastError}</span>` : ""}${job.statuses ? statusLine(job.statuses) : ""}</li>`)}</ul>`
    : html`<span class="muted">${row.note ?? "no job matched"}</span>`}</td>
</tr>`)}
</tbody>
</table>`;
}

function paging(page: ListPage): Html | string {
  if (!page.newer && !page.older) return "";
  return html`<nav class="pages">
${page.newer ? html`<a href="${listHref(page.filter)}">« newest</a> <a href="${listHref(page.filter, { after: page.newer })}">‹ newer</a>` : ""}
${page.older ? html`<a href="${listHref(page.filter, { before: page.older })}">older ›</a>` : ""}
</nav>`;
}

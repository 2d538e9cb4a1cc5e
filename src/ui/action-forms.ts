// The page's action forms (plain POST forms: no script) and the list of actions done, on the
// delivery's page and the list. Each form carries the user's token for its action and a fresh
// idempotency key; without ui.auth there are no forms, and a line says how to enable them.

import type { PageActionRecord } from "../journal/index.ts";
import type { AbortChoice } from "../laminar/abort-choice.ts";
import { describeAbort, describeAction } from "./describe-action.ts";
import { html, type Html } from "./html.ts";
import { when } from "./layout.ts";

/** What the forms of one page carry: the user's token per action, and a key per form. */
export interface ActionForms {
  user: string;
  token: { rebuild: string; build: string; abort: string };
  once: () => string;
}

/** A job of a configured repository (not a glob) that a person may build at a ref. */
export interface BuildTarget {
  repo: string;
  job: string;
}

export function actionsOff(): Html {
  return html`<p class="muted small actions-off">Rebuild, build a branch and abort from this page need a signed-in user: set <code>ui.auth</code> (a user and a password) in the config. Without it the page only looks.</p>`;
}

/** Rebuild and abort buttons of one dispatch; `root` is the way back to /ui/. */
export function dispatchActions(forms: ActionForms, root: string, dispatchId: number, abort: AbortChoice): Html {
  return html`<div class="actions">
${post(forms, root, "rebuild", "Rebuild", [["dispatch", String(dispatchId)]])}
${abort.kind === "now" ? post(forms, root, "abort", `Abort ${abort.job}:${abort.number}`, [["dispatch", String(dispatchId)]]) : ""}
${abort.kind === "on-start" ? post(forms, root, "abort", "Abort as soon as it starts", [["dispatch", String(dispatchId)]]) : ""}
</div>`;
}

/** Where an abort asked for stands, in words. */
export function abortNote(abort: AbortChoice): Html | string {
  if (abort.kind !== "asked") return "";
  return html`<p class="${abort.abort.state === "failed" ? "failure" : "muted"} abort-note">${describeAbort(abort.abort)}</p>`;
}

/** The list page's form: pick a repository's job and a ref. */
export function buildForm(forms: ActionForms, targets: readonly BuildTarget[]): Html | string {
  if (targets.length === 0) return "";
  return html`<form class="filters build" method="post" action="actions/build">
<input type="hidden" name="token" value="${forms.token.build}"><input type="hidden" name="once" value="${forms.once()}">
<label>Job <select name="target">
${targets.map((target) => html`<option value="${target.repo} ${target.job}">${target.repo} · ${target.job}</option>`)}
</select></label>
<label>Branch or tag <input name="ref" required maxlength="250" placeholder="master, v1.2, refs/tags/v1.2"></label>
<button type="submit">Build</button>
</form>`;
}

/** What was done to a delivery from the page: who, when, from where, what, and what came of it. */
export function actionList(actions: readonly PageActionRecord[], now: number): Html | string {
  if (actions.length === 0) return "";
  return html`<h2>Actions</h2>
<ul class="page-actions">
${actions.map((action) => html`<li>${when(action.at, now)}: ${describeAction(action)}${action.madeDispatchId === null ? "" : html` <a href="#dispatch-${action.madeDispatchId}">show</a>`}</li>`)}
</ul>`;
}

function post(forms: ActionForms, root: string, action: "rebuild" | "abort", label: string, fields: readonly (readonly [string, string])[]): Html {
  return html`<form method="post" action="${root}actions/${action}">
<input type="hidden" name="token" value="${forms.token[action]}"><input type="hidden" name="once" value="${forms.once()}">
${fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit" class="${action}">${label}</button>
</form>`;
}

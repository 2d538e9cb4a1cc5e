// The deliveries page's routes under /ui/: the list, one delivery, the stylesheet and the icon.
// Every answer, refusals included, carries a Content-Security-Policy that allows nothing but this
// origin's stylesheet and icon: no script at all, so even a payload that slipped past escaping
// could not run.

import type { Router } from "@koa/router";
import type { Context, Next } from "koa";
import { HttpError } from "../errors.ts";
import type { DeliveriesPage, DeliveriesPageQuery, DeliveryDetail, RunRecord } from "../journal/index.ts";
import type { StatusPostRecord } from "../journal/status-outbox.ts";
import { isGlob } from "../routing/glob.ts";
import type { Config } from "../types.ts";
import { toDetailView, toRowView, type DeliveryFacts, type ViewContext } from "./build-views.ts";
import { renderDetailPage } from "./detail-page.ts";
import { html } from "./html.ts";
import { layout } from "./layout.ts";
import { renderListPage } from "./list-page.ts";
import { requestOrigin } from "./request-origin.ts";
import { parseListQuery } from "./list-query.ts";
import { sendHint } from "./send-hint.ts";
import { ASSET_TAG, ICON, STYLESHEET } from "./stylesheet.ts";
import { guardUi } from "./ui-access.ts";
import { abortChoice, type AbortChoice } from "../laminar/abort-choice.ts";
import type { ActionForms } from "./action-forms.ts";
import { ActionTokens, newOnce } from "./action-token.ts";
import { mountActions, type ActionServices } from "./mount-actions.ts";
import { buildTargets } from "./mount-build.ts";

/** What the page reads from the journal. */
interface UiJournal {
  deliveriesPage(query: DeliveriesPageQuery): DeliveriesPage;
  getDelivery(idOrDeliveryId: number | string): DeliveryDetail | undefined;
  /** The Laminar runs each dispatch became, as they are followed. */
  runsOf(dispatchIds: readonly number[]): Map<number, RunRecord[]>;
  statusOutbox: { postsOfDelivery(deliveryId: number): StatusPostRecord[] };
  catchUp: { redelivered(deliveryIds: readonly string[]): Set<string> };
}

interface UiOptions {
  getConfig: () => Config;
  journal: UiJournal;
  /** ms since the epoch, for "3 min ago". */
  now: () => number;
  /** Acting from the page (with ui.auth): rebuild, build a branch or tag, abort. Absent: the page only looks. */
  act?: ActionServices;
}

const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function mountUi(router: Router, options: UiOptions): void {
  const guard = [pageHeaders, answerAsPage, guardUi(options.getConfig, options.now)];
  const tokens = new ActionTokens();
  /** The forms' tokens for the signed-in user; undefined without ui.auth (the page only looks). */
  const forms = (): ActionForms | undefined => {
    const auth = options.getConfig().ui.auth;
    if (options.act === undefined || auth === undefined) return undefined;
    const token = { rebuild: tokens.tokenFor(auth.user, "rebuild"), build: tokens.tokenFor(auth.user, "build"), abort: tokens.tokenFor(auth.user, "abort") };
    return { user: auth.user, token, once: newOnce };
  };
  const context = (): ViewContext => {
    const { baseUrl } = options.getConfig().laminar;
    return baseUrl ? { baseUrl } : {};
  };

  // "/ui" also matches /ui/ (the router is not strict); the relative links need the slash. A relative
  // Location keeps a proxy's prefix.
  router.get("/ui", ...guard, (ctx) => {
    if (!ctx.path.endsWith("/")) {
      ctx.redirect("ui/");
      return;
    }
    const query = parseListQuery(ctx.query);
    const page = options.journal.deliveriesPage(query);
    const views = context();
    const facts = factsOf(options.journal, page.items);
    ctx.type = "text/html; charset=utf-8";
    ctx.body = renderListPage({
      rows: page.items.map((item) => toRowView(item, views, facts(item.id))),
      filter: { limit: query.limit, ...(query.status ? { status: query.status } : {}), ...(query.repo ? { repo: query.repo } : {}) },
      repos: filterRepos(page.repos, options.getConfig()),
      ...(page.older ? { older: page.older } : {}),
      ...(page.newer ? { newer: page.newer } : {}),
      empty: page.empty,
      sendHint: sendHint(options.getConfig(), requestOrigin(ctx, options.getConfig().server.trustProxy)),
      now: options.now(),
      ...(options.act ? { actions: { ...withForms(forms()), targets: buildTargets(options.getConfig()) } } : {}),
    });
  });

  router.get("/ui/deliveries/:id", ...guard, (ctx) => {
    const id = ctx.params.id ?? "";
    if (id.length > 200) throw new HttpError(400, "a delivery id is the journal's number or the forge's delivery id");
    const detail = options.journal.getDelivery(id);
    if (!detail) throw new HttpError(404, `no delivery ${id} in the journal`);
    ctx.type = "text/html; charset=utf-8";
    const facts = factsOf(options.journal, [detail])(detail.id);
    const act = options.act;
    const actions = act === undefined ? undefined : {
      ...withForms(forms()),
      records: act.actions.ofDelivery(detail.id),
      aborts: new Map<number, AbortChoice>(detail.dispatches.map((dispatch) =>
        [dispatch.id, abortChoice(dispatch, facts.runs.get(dispatch.id) ?? [], act.actions.abortOf(dispatch.id))])),
    };
    ctx.body = renderDetailPage(toDetailView(detail, context(), facts), options.now(), actions);
  });

  if (options.act) mountActions({ router, guard, getConfig: options.getConfig, tokens, now: options.now, services: options.act });

  router.get("/ui/style.css", ...guard, (ctx) => asset(ctx, "text/css; charset=utf-8", STYLESHEET));
  router.get("/ui/icon.svg", ...guard, (ctx) => asset(ctx, "image/svg+xml", ICON));
}

function withForms(forms: ActionForms | undefined): { forms?: ActionForms } {
  return forms === undefined ? {} : { forms };
}

/** The runs, status posts and catch-up marks of the deliveries shown, read at once for the page. */
function factsOf(
  journal: UiJournal,
  items: readonly { id: number; deliveryId: string; jobs?: readonly { id: number }[]; dispatches?: readonly { id: number }[] }[],
): (id: number) => DeliveryFacts {
  const runs = journal.runsOf(items.flatMap((item) => (item.jobs ?? item.dispatches ?? []).map((job) => job.id)));
  const redelivered = journal.catchUp.redelivered(items.map((item) => item.deliveryId));
  return (id) => ({ runs, redelivered, statuses: journal.statusOutbox.postsOfDelivery(id) });
}

async function pageHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  ctx.set("X-Content-Type-Options", "nosniff");
  // same-origin, not no-referrer: no other site learns our URLs, and the page's own form posts carry their
  // Origin (under no-referrer Chromium sends `Origin: null`), which same-origin.ts checks.
  ctx.set("Referrer-Policy", "same-origin");
  // Deliveries change by the second, and the page may be behind auth: no cache keeps a copy.
  ctx.set("Cache-Control", "no-store");
  await next();
}

/** Refusals and bad input as a small page a person reads (the hook endpoints answer JSON). */
async function answerAsPage(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (!(typeof status === "number" && status >= 400 && status < 600 && (error as { expose?: unknown }).expose === true)) throw error;
    const message = (error as Error).message;
    ctx.status = status;
    ctx.type = "text/html; charset=utf-8";
    ctx.body = layout({
      title: `${status}`,
      // The way back to /ui/ from /ui/deliveries/ID and /ui/actions/NAME is one folder up.
      root: ctx.path === "/ui" ? "ui/" : "../".repeat(Math.max(0, ctx.path.split("/").length - 3)) || "./",
      body: html`<h1>${status}</h1><p class="failure">${message}</p>`,
    });
  }
}

/** The repositories to filter by: those named in the config (not globs) and those recently delivered. */
function filterRepos(recent: readonly string[], config: Config): string[] {
  const named = config.repositories.map((repository) => repository.repo).filter((repo) => !isGlob(repo));
  return [...new Set([...named, ...recent])].sort();
}

function asset(ctx: Context, type: string, text: string): void {
  ctx.set("Cache-Control", "no-cache");
  ctx.set("ETag", ASSET_TAG);
  ctx.type = type;
  if (ctx.get("if-none-match") === ASSET_TAG) {
    ctx.status = 304;
    return;
  }
  ctx.body = text;
}

// POST /ui/actions/…: what a signed-in user may do from the page. Each route passes the page's
// gate (ui-access.ts), then the actions' (action-guard.ts), then does one journal transaction that
// records who did what with the dispatch or abort it makes (src/journal/page-actions.ts), and
// answers 303 to the delivery's page, where the action shows.

import type { Router } from "@koa/router";
import type { Context, Middleware } from "koa";
import { HttpError } from "../errors.ts";
import type { ActionResult, Actor, PageActions, RunRecord } from "../journal/index.ts";
import type { Config } from "../types.ts";
import { abortChoice } from "../laminar/abort-choice.ts";
import { readActionPost, type ActionPost } from "./action-guard.ts";
import type { ActionTokens } from "./action-token.ts";
import { mountBuild, type HeadResolver } from "./mount-build.ts";

/** What acting needs beside the page's own reads. */
export interface ActionServices {
  actions: PageActions;
  runsOf(dispatchIds: readonly number[]): Map<number, RunRecord[]>;
  /** The dispatcher's kick: a new dispatch is tried at once. */
  kick(): void;
  /** An abort was asked for the dispatch: sent now when its run is running, else when it starts. */
  abortAsked(dispatchId: number): void;
  /** Where a branch or tag points now, for a manual build. */
  resolveHead: HeadResolver;
}

interface ActionRoutes {
  router: Router;
  guard: readonly Middleware[];
  getConfig: () => Config;
  tokens: ActionTokens;
  now: () => number;
  services: ActionServices;
}

export function mountActions(routes: ActionRoutes): void {
  const { router, guard, getConfig, tokens, now, services } = routes;

  router.post("/ui/actions/rebuild", ...guard, async (ctx) => {
    const post = await readActionPost(ctx, getConfig(), tokens, "rebuild");
    const dispatch = services.actions.dispatch(dispatchOf(post));
    if (dispatch === undefined) throw new HttpError(404, "no such job in the journal");
    // Job names come only from the config: a job dropped from it since is not started again.
    if (!getConfig().repositories.some((repository) => repository.jobs.some((job) => job.job === dispatch.job))) {
      throw new HttpError(409, `job ${dispatch.job} is no longer in the config; add it back to rebuild it`);
    }
    const result = services.actions.rebuild(actor(post, now), dispatch.id, (delivery) => `Rebuild of delivery ${delivery} by ${post.user}`);
    if (result === undefined) throw new HttpError(404, "no such job in the journal");
    if (result.kind === "done") services.kick();
    backTo(ctx, result);
  });

  router.post("/ui/actions/abort", ...guard, async (ctx) => {
    const config = getConfig();
    const post = await readActionPost(ctx, config, tokens, "abort");
    const dispatch = services.actions.dispatch(dispatchOf(post));
    if (dispatch === undefined) throw new HttpError(404, "no such job in the journal");
    const choice = abortChoice(dispatch, services.runsOf([dispatch.id]).get(dispatch.id) ?? [], services.actions.abortOf(dispatch.id));
    if (choice.kind === "none") throw new HttpError(409, `${dispatch.run ?? dispatch.job} is not running or waiting to run: nothing to abort`);
    if (choice.kind === "on-start" && config.laminar.httpUrl === undefined) {
      throw new HttpError(409, "a run that has not started can be aborted when it starts only while runs are followed: set laminar.http in the config");
    }
    const what = choice.kind === "now" ? `abort of ${choice.job}:${choice.number}` : `abort of ${dispatch.job} (dispatch ${dispatch.id}) as soon as it starts`;
    const result = choice.kind === "asked"
      ? services.actions.abort(actor(post, now), dispatch.id, `abort of ${dispatch.job} (dispatch ${dispatch.id}), asked before`, "asked before")
      : services.actions.abort(actor(post, now), dispatch.id, what, choice.kind === "now" ? "sending" : "waiting for the run to start");
    if (result === undefined) throw new HttpError(404, "no such job in the journal");
    if (result.kind === "done" && choice.kind !== "asked") services.abortAsked(dispatch.id);
    backTo(ctx, result);
  });

  mountBuild({ ...routes, actor: (post) => actor(post, now), backTo });
}

function actor(post: ActionPost, now: () => number): Actor {
  return { once: post.once, at: now(), user: post.user, address: post.address };
}

function dispatchOf(post: ActionPost): number {
  const id = Number(post.form.get("dispatch"));
  if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(400, "the form names no job (dispatch)");
  return id;
}

/** 303 to the delivery's page, at the dispatch made or acted on; relative, so a proxy's prefix stays. */
function backTo(ctx: Context, result: ActionResult): void {
  const { action } = result;
  const anchor = action.madeDispatchId ?? action.dispatchId;
  ctx.status = 303;
  ctx.redirect(`../deliveries/${action.deliveryId}${anchor === null ? "" : `#dispatch-${anchor}`}`);
}

// POST /ui/actions/build: a configured repository's job at a branch or tag a person picked. The
// head is resolved now (git ls-remote, else the forge's API: src/catch-up/resolve-head.ts, injected), and the job is
// queued with the parameters a push of it would give and `event=manual`, as a delivery of its
// own that `deliveries` and the list show. The job's branch filters are not asked.

import type { Router } from "@koa/router";
import type { Context, Middleware } from "koa";
import { HttpError } from "../errors.ts";
import type { ActionResult, Actor, PageActions } from "../journal/index.ts";
import { isGlob } from "../routing/glob.ts";
import { manualPayload, manualRequest } from "../routing/index.ts";
import type { Config, ForgeName } from "../types.ts";
import { readActionPost, type ActionPost } from "./action-guard.ts";
import type { ActionTokens } from "./action-token.ts";
import type { BuildTarget } from "./action-forms.ts";

type HeadAnswer =
  | { ok: true; ref: string; sha: string; cloneUrl: string }
  | { ok: false; status: 400 | 404 | 409 | 503; reason: string };

/** Where `ref` of the repository points now: its `poll:` remote, else `lastCloneUrl`, else the forge's API. */
export type HeadResolver = (input: { forge: ForgeName; repo: string; ref: string; poll?: string; lastCloneUrl?: string }) => Promise<HeadAnswer>;

/** A ref as a person types it: a branch or tag name, or a full `refs/heads/…`/`refs/tags/…`. */
const REF = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[^\s~^:?*[\\\x00-\x1f\x7f]{1,250}(?<![./])$/;

interface BuildRoutes {
  router: Router;
  guard: readonly Middleware[];
  getConfig: () => Config;
  tokens: ActionTokens;
  now: () => number;
  services: { actions: PageActions; kick(): void; resolveHead: HeadResolver };
  actor: (post: ActionPost) => Actor;
  backTo: (ctx: Context, result: ActionResult) => void;
}

/** The jobs a person may build from the page: those of repositories named without a glob. */
export function buildTargets(config: Config): BuildTarget[] {
  return config.repositories
    .filter((repository) => !isGlob(repository.repo))
    .flatMap((repository) => repository.jobs.map((rule) => ({ repo: repository.repo, job: rule.job })));
}

export function mountBuild(routes: BuildRoutes): void {
  const { router, guard, getConfig, tokens, services } = routes;
  router.post("/ui/actions/build", ...guard, async (ctx) => {
    const config = getConfig();
    const post = await readActionPost(ctx, config, tokens, "build");
    const [repo = "", job = ""] = (post.form.get("target") ?? "").split(" ");
    const repository = config.repositories.find((candidate) => !isGlob(candidate.repo) && candidate.repo === repo);
    const rule = repository?.jobs.find((candidate) => candidate.job === job);
    if (repository === undefined || rule === undefined) throw new HttpError(400, "pick a job of a repository named in the config");
    const ref = (post.form.get("ref") ?? "").trim();
    if (!REF.test(ref) || (ref.startsWith("refs/") && !/^refs\/(heads|tags)\/./.test(ref))) {
      throw new HttpError(400, "a branch or tag name (master, v1.2) or a full ref (refs/heads/…, refs/tags/…)");
    }
    const seen = services.actions.lastSeen(repo);
    const forge = forgeOf(config, repository.forge, seen?.forge);
    if (forge === undefined) {
      throw new HttpError(409, `cannot tell which forge ${repo} is on: set forge: for it in the config`);
    }
    const head = await services.resolveHead({
      forge, repo, ref, ...(repository.poll ? { poll: repository.poll } : {}), ...(seen?.cloneUrl ? { lastCloneUrl: seen.cloneUrl } : {}),
    });
    if (!head.ok) throw new HttpError(head.status, head.reason);
    const build = { forge, repo, ref: head.ref, sha: head.sha, cloneUrl: head.cloneUrl, user: post.user };
    const deliveryId = `manual:${post.once}`;
    const result = services.actions.build(routes.actor(post), {
      forge, deliveryId, repo, ref: head.ref, payload: JSON.stringify(manualPayload(build)),
      note: `built by ${post.user} from the deliveries page`,
    }, () => manualRequest(rule, build, deliveryId));
    if (result.kind === "done") services.kick();
    routes.backTo(ctx, result);
  });
}

/** The repository's forge as configured, else as its last delivery said, else the only forge configured. */
function forgeOf(config: Config, configured: ForgeName | undefined, seen: ForgeName | undefined): ForgeName | undefined {
  if (configured !== undefined) return configured;
  if (seen !== undefined) return seen;
  const forges = Object.keys(config.forges) as ForgeName[];
  return forges.length === 1 ? forges[0] : undefined;
}

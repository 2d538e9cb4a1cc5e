// The gate every action of the page passes, after the page's own (ui-access.ts) let the user in:
// a signed-in user (ui.auth; without it the page only looks, also on loopback), a post from this
// origin (same-origin.ts), a small urlencoded form, the token of this user for this action
// (action-token.ts) and an idempotency key. Anything else is refused before anything is read
// from or written to the journal.

import type { Context } from "koa";
import { HttpError } from "../errors.ts";
import { clientAddress } from "../http/client-address.ts";
import { readBody } from "../http/read-body.ts";
import type { PageActionKind } from "../journal/index.ts";
import type { Config } from "../types.ts";
import type { ActionTokens } from "./action-token.ts";
import { requestOrigin } from "./request-origin.ts";
import { crossOriginRefusal } from "./same-origin.ts";

/** A form is a few short fields. */
const FORM_LIMIT = 8 * 1024;
const ONCE = /^[A-Za-z0-9_-]{16,64}$/;

/** A post allowed to act: who, from where, what the form said. */
export interface ActionPost {
  user: string;
  address: string;
  once: string;
  form: URLSearchParams;
}

const ACTIONS_NEED_AUTH =
  "acting from the page (rebuild, build a branch or tag, abort) needs a signed-in user: set ui.auth (a user and a password) in the config";

export async function readActionPost(ctx: Context, config: Config, tokens: ActionTokens, action: PageActionKind): Promise<ActionPost> {
  const auth = config.ui.auth;
  if (auth === undefined) throw new HttpError(403, ACTIONS_NEED_AUTH);
  const refusal = crossOriginRefusal(
    { secFetchSite: ctx.get("sec-fetch-site"), origin: ctx.get("origin") },
    requestOrigin(ctx, config.server.trustProxy),
  );
  if (refusal !== undefined) throw new HttpError(403, refusal);
  if (!ctx.is("application/x-www-form-urlencoded")) throw new HttpError(415, "an action is a form post (application/x-www-form-urlencoded)");
  const form = new URLSearchParams((await readBody(ctx.req, FORM_LIMIT)).toString("utf8"));
  if (!tokens.verify(auth.user, action, form.get("token") ?? "")) {
    throw new HttpError(403, "this form's token is not valid (the service restarted since the page was loaded, or the form is not the page's): reload the page and try again");
  }
  const once = form.get("once") ?? "";
  if (!ONCE.test(once)) throw new HttpError(400, "the form has no valid idempotency key (once): reload the page and try again");
  return { user: auth.user, address: clientAddress(ctx, config.server.trustProxy), once, form };
}

import { buildReason } from "../routing/index.ts";
import type { EventKind, ForgeName, HookEvent } from "../types.ts";
import type { RemoteHead } from "./parse-ls-remote.ts";

/** The sender of a push found by polling: no person is known, laminar-hooks found it. */
const POLL_SENDER = "laminar-hooks";

const ZERO_SHA = "0000000000000000000000000000000000000000";

/** A branch or tag head that moved (or appeared) with no delivery bringing it. */
interface PolledPush {
  forge: ForgeName;
  /** `owner/name` as the config names it. */
  repo: string;
  /** The remote, its userinfo removed: the jobs fetch from it (`clone_url`). */
  remote: string;
  ref: string;
  head: RemoteHead;
  /** The head seen at the poll before; absent for a new branch or tag. */
  before?: RemoteHead;
}

/** The delivery a polled push becomes: id, event, and the payload journaled and offered to templates. */
export interface PolledDelivery {
  deliveryId: string;
  /** The forge's own event name for such a push, so that `redeliver` can route it again. */
  forgeEvent: string;
  event: HookEvent;
  payload: Record<string, unknown>;
  /** LAMINAR_REASON for its jobs. */
  reason: string;
  /** The commit and, for an annotated tag, the tag object: a webhook of the same push names one of them. */
  shas: readonly string[];
}

/**
 * A push found by polling as a delivery of its own. The delivery id names the repository too (two
 * polled repositories, a fork and its upstream, share refs and commits). The payload has the
 * fields of a push in both GitHub's and Gitea's shape and GitLab's, so `redeliver ID` routes it
 * again through the forge's own reading, and `{{ payload.after }}` works as with a webhook.
 */
export function polledDelivery(push: PolledPush): PolledDelivery {
  const kind: EventKind = push.ref.startsWith("refs/tags/") ? "tag" : "push";
  const name = push.ref.replace(/^refs\/(heads|tags)\//, "");
  const rev = push.head.peeled;
  const before = push.before?.peeled;
  const event: HookEvent = {
    forge: push.forge,
    forgeEvent: forgeEventOf(push.forge, kind),
    kind,
    deleted: false,
    repo: push.repo,
    ref: push.ref,
    ...(kind === "tag" ? { tag: name } : { branch: name }),
    rev,
    ...(before === undefined ? {} : { before }),
    cloneUrl: push.remote,
    sender: POLL_SENDER,
  };
  const payload = {
    found_by: "poll",
    remote: push.remote,
    ref: push.ref,
    before: before ?? ZERO_SHA,
    after: rev,
    checkout_sha: rev,
    repository: { full_name: push.repo, clone_url: push.remote },
    project: { path_with_namespace: push.repo, git_http_url: push.remote },
    sender: { login: POLL_SENDER },
    user_username: POLL_SENDER,
  };
  return {
    deliveryId: `poll:${push.repo}:${push.ref}:${rev}`,
    forgeEvent: event.forgeEvent,
    event,
    payload,
    reason: `${buildReason(event)}, found by polling: its webhook never arrived`,
    shas: push.head.sha === rev ? [rev] : [rev, push.head.sha],
  };
}

function forgeEventOf(forge: ForgeName, kind: EventKind): string {
  if (forge === "gitlab") return kind === "tag" ? "Tag Push Hook" : "Push Hook";
  return "push";
}

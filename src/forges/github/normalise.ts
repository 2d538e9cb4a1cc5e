// GitHub payloads → the event model.

import type { Envelope, HookEvent } from "../../types.ts";
import { changedFiles, type ChangedFiles, type CommitFiles } from "../shared/changed-files.ts";
import { compact } from "../shared/compact.ts";
import { githubPing, githubPullRequest, githubPush, githubRelease } from "./payloads.ts";
import { ignored } from "../shared/ignored.ts";
import { readRepositoryFullName } from "../shared/payload-schemas.ts";
import { parsePayload } from "../shared/parse-payload.ts";
import { isZeroSha, pullRequestRef } from "../shared/refs.ts";
import { pullRequestEvent } from "../shared/pull-request-event.ts";
import { pushEvent } from "../shared/push-event.ts";
import { releaseEvent } from "../shared/release-event.ts";
import type { Normalised } from "../types.ts";

/**
 * GitHub's push docs say `commits` holds at most 20 entries (lately adding that this cap is for
 * timeline events rather than deliveries) and cap each commit's added/modified/removed lists too
 * (accounts differ: 3000 or 5000 paths). The payload has no total count, so 20 commits, or a list of
 * 3000 paths, may be a cut: such a push is marked incomplete. At worst a path filter then builds
 * once too often; it never skips a build it needed.
 * https://docs.github.com/en/webhooks/webhook-events-and-payloads#push
 */
const COMMITS_SHOWN = 20;
const PATHS_PER_LIST = 3000;

export function normaliseGitHub(envelope: Envelope, payload: unknown): Normalised {
  switch (envelope.event) {
    case "push":
      return normalisePush(envelope, payload);
    case "pull_request":
      return normalisePullRequest(envelope, payload);
    case "release":
      return normaliseRelease(envelope, payload);
    case "ping":
      return normalisePing(envelope, payload);
    default:
      return ignored(envelope, readRepositoryFullName(payload));
  }
}

function normalisePush(envelope: Envelope, payload: unknown): Normalised {
  const push = parsePayload(githubPush, payload, "the GitHub push payload");
  // `deleted` is the documented flag; the zero `after` covers payloads that lack it.
  const deleted = push.deleted === true || isZeroSha(push.after);
  return pushEvent(envelope, {
    ref: push.ref,
    repo: push.repository.full_name,
    before: push.before,
    rev: deleted ? undefined : push.after,
    cloneUrl: push.repository.clone_url,
    sshUrl: push.repository.ssh_url,
    sender: push.sender?.login ?? push.pusher?.name,
    headMessage: deleted ? undefined : push.head_commit?.message,
    changedFiles: (created) => pushedFiles(push.commits ?? [], created),
  });
}

/** A new branch's `commits` are only those new to the repository: its changes are not knowable. */
function pushedFiles(commits: readonly CommitFiles[], created: boolean): ChangedFiles {
  const capped =
    commits.length >= COMMITS_SHOWN ||
    commits.some((c) => [c.added, c.modified, c.removed].some((list) => (list?.length ?? 0) >= PATHS_PER_LIST));
  return changedFiles(commits, !created && !capped);
}

function normalisePullRequest(envelope: Envelope, payload: unknown): Normalised {
  const { action, number, before, pull_request: pr, repository, sender } = parsePayload(
    githubPullRequest,
    payload,
    "the GitHub pull_request payload",
  );
  // Fetch from the fork the pull request comes from; if that fork is gone, refs/pull/N/head on the
  // base repository still has the commit.
  const source = pr.head.repo ?? repository;
  return pullRequestEvent(envelope, {
    action,
    repo: repository.full_name,
    ref: pullRequestRef(number),
    branch: pr.head.ref,
    rev: pr.head.sha,
    before,
    cloneUrl: source.clone_url ?? repository.clone_url,
    sshUrl: source.ssh_url ?? repository.ssh_url,
    pr: number,
    baseBranch: pr.base.ref,
    sender: sender?.login,
    title: pr.title,
  });
}

function normaliseRelease(envelope: Envelope, payload: unknown): Normalised {
  const release = parsePayload(githubRelease, payload, "the GitHub release payload");
  return releaseEvent(envelope, { ...release, sender: release.sender?.login ?? undefined });
}

function normalisePing(envelope: Envelope, payload: unknown): Normalised {
  const { repository, sender } = parsePayload(githubPing, payload, "the GitHub ping payload");
  const event: HookEvent = {
    forge: envelope.forge,
    forgeEvent: envelope.event,
    kind: "ping",
    deleted: false,
    ...compact<HookEvent>({
      repo: repository?.full_name,
      cloneUrl: repository?.clone_url,
      sshUrl: repository?.ssh_url,
      sender: sender?.login,
    }),
  };
  return { handled: true, event };
}

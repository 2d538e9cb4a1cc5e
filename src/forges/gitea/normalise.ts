// Gitea-dialect payloads (Gitea, Forgejo, Gogs) → the event model.

import { HttpError } from "../../errors.ts";
import type { Envelope } from "../../types.ts";
import { changedFiles } from "../shared/changed-files.ts";
import { FORGE_LABELS } from "../shared/forge-labels.ts";
import { giteaPullRequest, giteaPush, giteaRelease, type GiteaUser } from "./payloads.ts";
import { ignored } from "../shared/ignored.ts";
import { readRepositoryFullName } from "../shared/payload-schemas.ts";
import { parsePayload } from "../shared/parse-payload.ts";
import { isZeroSha, pullRequestRef } from "../shared/refs.ts";
import { pullRequestEvent } from "../shared/pull-request-event.ts";
import { pushEvent } from "../shared/push-event.ts";
import { releaseEvent } from "../shared/release-event.ts";
import type { Normalised } from "../types.ts";

/** Gitea spells GitHub's pull request actions its own way; routing speaks GitHub's. */
const PULL_REQUEST_ACTIONS: Readonly<Record<string, string>> = {
  // HookIssueSynchronized: https://github.com/go-gitea/gitea/blob/main/modules/structs/hook.go
  synchronized: "synchronize",
};

export function normaliseGitea(envelope: Envelope, payload: unknown): Normalised {
  switch (envelope.event) {
    case "push":
      return normalisePush(envelope, payload);
    case "pull_request":
      return normalisePullRequest(envelope, payload);
    case "release":
      return normaliseRelease(envelope, payload);
    default:
      return ignored(envelope, readRepositoryFullName(payload));
  }
}

function label(envelope: Envelope, event: string): string {
  return `the ${FORGE_LABELS[envelope.forge]} ${event} payload`;
}

function login(user: GiteaUser | null | undefined): string | undefined {
  return user?.login || user?.username || undefined;
}

function normalisePush(envelope: Envelope, payload: unknown): Normalised {
  const push = parsePayload(giteaPush, payload, label(envelope, "push"));
  // Gitea sends no `deleted` flag; a deletion (sent by older versions) has a zero `after`. The
  // "Test Delivery" button sends before == after, which is an ordinary push of the default branch.
  const deleted = isZeroSha(push.after);
  const commits = push.commits ?? [];
  const head = deleted ? undefined : (push.head_commit ?? commits.find((c) => c.id === push.after));
  return pushEvent(envelope, {
    ref: push.ref,
    repo: push.repository.full_name,
    before: push.before,
    rev: deleted ? undefined : push.after,
    cloneUrl: push.repository.clone_url,
    sshUrl: push.repository.ssh_url,
    sender: login(push.sender) ?? login(push.pusher),
    headMessage: head?.message,
    // The payload may carry only some of the commits (Forgejo: webhook.PAYLOAD_COMMIT_LIMIT; older
    // Gitea and Gogs: the UI's FEED_MAX_COMMIT_NUM, 5 by default, without saying so), and only newer
    // versions send total_commits: the list is known to be whole only when total_commits matches it.
    // https://github.com/go-gitea/gitea/issues/21379
    changedFiles: (created) =>
      changedFiles(commits, !created && typeof push.total_commits === "number" && push.total_commits === commits.length),
  });
}

function normalisePullRequest(envelope: Envelope, payload: unknown): Normalised {
  const what = label(envelope, "pull_request");
  const { action, number, pull_request: pr, repository, sender } = parsePayload(giteaPullRequest, payload, what);
  const branch = pr.head?.ref ?? pr.head_branch;
  const baseBranch = pr.base?.ref ?? pr.base_branch;
  const gogs = envelope.forge === "gogs";
  if (!branch) throw missing(what, gogs ? "pull_request.head_branch" : "pull_request.head.ref");
  if (!baseBranch) throw missing(what, gogs ? "pull_request.base_branch" : "pull_request.base.ref");
  // A pull request from a fork is fetched from the fork; with the fork gone (head.repo null),
  // refs/pull/N/head on the base repository still has the commit.
  const source = pr.head?.repo ?? pr.head_repo ?? repository;
  return pullRequestEvent(envelope, {
    action: PULL_REQUEST_ACTIONS[action] ?? action,
    repo: repository.full_name,
    ref: pullRequestRef(number),
    branch,
    rev: pr.head?.sha,
    cloneUrl: source.clone_url ?? repository.clone_url,
    sshUrl: source.ssh_url ?? repository.ssh_url,
    pr: number,
    baseBranch,
    sender: login(sender),
    title: pr.title,
  });
}

function normaliseRelease(envelope: Envelope, payload: unknown): Normalised {
  const release = parsePayload(giteaRelease, payload, label(envelope, "release"));
  return releaseEvent(envelope, { ...release, sender: login(release.sender) });
}

function missing(what: string, field: string): HttpError {
  return new HttpError(400, `${what} cannot be used: the field "${field}" is missing`, { field });
}

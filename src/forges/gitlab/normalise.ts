// GitLab payloads → the event model.

import type { Envelope } from "../../types.ts";
import { changedFiles } from "../shared/changed-files.ts";
import { gitlabAnyEvent, gitlabMergeRequest, gitlabPush } from "./payloads.ts";
import { ignored } from "../shared/ignored.ts";
import { parsePayload } from "../shared/parse-payload.ts";
import { isZeroSha, mergeRequestRef } from "../shared/refs.ts";
import { pullRequestEvent } from "../shared/pull-request-event.ts";
import { pushEvent } from "../shared/push-event.ts";
import type { Normalised } from "../types.ts";

/** GitLab's merge request actions in GitHub's spelling; `update` depends on new commits. */
const MERGE_REQUEST_ACTIONS: Readonly<Record<string, string>> = {
  open: "opened",
  reopen: "reopened",
  close: "closed",
  merge: "merged",
};

export function readGitLabRepository(payload: unknown): string | undefined {
  const parsed = gitlabAnyEvent.safeParse(payload);
  return parsed.success ? (parsed.data.project?.path_with_namespace ?? undefined) : undefined;
}

export function normaliseGitLab(envelope: Envelope, payload: unknown): Normalised {
  switch (envelope.event) {
    case "Push Hook":
    case "Tag Push Hook":
      return normalisePush(envelope, payload);
    case "Merge Request Hook":
      return normaliseMergeRequest(envelope, payload);
    default:
      return ignored(envelope, readGitLabRepository(payload));
  }
}

function normalisePush(envelope: Envelope, payload: unknown): Normalised {
  const push = parsePayload(gitlabPush, payload, `the GitLab ${envelope.event} payload`);
  const commits = push.commits ?? [];
  // checkout_sha is the commit a tag points to, where `after` would be an annotated tag's own id.
  const rev = isZeroSha(push.after) ? undefined : (push.checkout_sha ?? push.after);
  return pushEvent(envelope, {
    ref: push.ref,
    repo: push.project.path_with_namespace,
    before: push.before,
    rev,
    cloneUrl: push.project.git_http_url,
    sshUrl: push.project.git_ssh_url,
    sender: push.user_username,
    headMessage: rev === undefined ? undefined : commits.find((c) => c.id === rev)?.message,
    // GitLab sends the newest 20 commits and the real count in total_commits_count.
    changedFiles: (created) =>
      changedFiles(commits, !created && typeof push.total_commits_count === "number" && push.total_commits_count === commits.length),
  });
}

function normaliseMergeRequest(envelope: Envelope, payload: unknown): Normalised {
  const { user, project, object_attributes: mr } = parsePayload(
    gitlabMergeRequest,
    payload,
    "the GitLab Merge Request Hook payload",
  );
  return pullRequestEvent(envelope, {
    action: mergeRequestAction(mr.action, mr.oldrev),
    repo: project.path_with_namespace,
    ref: mergeRequestRef(mr.iid),
    branch: mr.source_branch,
    rev: mr.last_commit?.id,
    // The source project is the fork a merge request comes from (or the project itself).
    cloneUrl: mr.source?.git_http_url ?? project.git_http_url,
    sshUrl: mr.source?.git_ssh_url ?? project.git_ssh_url,
    pr: mr.iid,
    baseBranch: mr.target_branch,
    sender: user?.username,
    title: mr.title,
  });
}

/** `update` means new commits only when GitLab includes `oldrev`; else the title or labels changed. */
function mergeRequestAction(action: string | null | undefined, oldrev: string | null | undefined): string | undefined {
  if (!action) return undefined;
  if (action === "update") return oldrev ? "synchronize" : "edited";
  return MERGE_REQUEST_ACTIONS[action] ?? action;
}

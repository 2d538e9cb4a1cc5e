// The body and headers of a sample delivery, as each forge would send it: what `send` posts to
// check nginx, the secret and the routing end to end without pushing anything.

import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { ForgeName } from "../types.ts";

/**
 * `probe`: a delivery the service verifies and then builds nothing for (GitHub's ping; an issue
 * event elsewhere, which it answers "ignored"): how `repo rotate-secret` learns that the running
 * service takes a new secret, without starting a job.
 */
export type SampleEvent = "push" | "tag" | "ping" | "probe";

interface SampleOptions {
  forge: ForgeName;
  repo: string;
  event: SampleEvent;
  branch: string;
  tag: string;
  /** undefined: unsigned (for `insecure: true` repositories). */
  secret: string | undefined;
  sender: string;
}

interface Sample {
  deliveryId: string;
  body: string;
  headers: Record<string, string>;
}

export function sampleDelivery(options: SampleOptions): Sample {
  const deliveryId = randomUUID();
  const rev = randomBytes(20).toString("hex");
  const ref = options.event === "tag" ? `refs/tags/${options.tag}` : `refs/heads/${options.branch}`;
  const cloneUrl = `https://${options.forge}.invalid/${options.repo}.git`;
  const sshUrl = `git@${options.forge}.invalid:${options.repo}.git`;
  const message = `laminar-hooks send: sample ${options.event}`;
  const common = { "content-type": "application/json", "user-agent": "laminar-hooks-send" };

  if (options.forge === "gitlab" && options.event === "probe") {
    const body = JSON.stringify({ object_kind: "issue", event_type: "issue", user: { username: options.sender }, project: { path_with_namespace: options.repo }, object_attributes: { action: "open", title: message } });
    return {
      deliveryId,
      body,
      headers: {
        ...common, "x-gitlab-event": "Issue Hook", "x-gitlab-event-uuid": deliveryId, "idempotency-key": deliveryId,
        ...(options.secret ? { "x-gitlab-token": options.secret } : {}),
      },
    };
  }
  if (options.forge === "gitlab") {
    const body = JSON.stringify({
      object_kind: options.event === "tag" ? "tag_push" : "push",
      event_name: options.event === "tag" ? "tag_push" : "push",
      before: "0000000000000000000000000000000000000000",
      after: rev,
      ref,
      checkout_sha: rev,
      user_username: options.sender,
      project: { path_with_namespace: options.repo, git_http_url: cloneUrl, git_ssh_url: sshUrl },
      commits: [{ id: rev, message, added: [], modified: ["README.md"], removed: [] }],
      total_commits_count: 1,
    });
    return {
      deliveryId,
      body,
      headers: {
        ...common,
        "x-gitlab-event": options.event === "tag" ? "Tag Push Hook" : "Push Hook",
        "x-gitlab-event-uuid": deliveryId,
        "idempotency-key": deliveryId,
        ...(options.secret ? { "x-gitlab-token": options.secret } : {}),
      },
    };
  }

  const repository = { full_name: options.repo, clone_url: cloneUrl, ssh_url: sshUrl };
  const sender = { login: options.sender, username: options.sender };
  const probe = options.event === "probe" && options.forge !== "github";
  const payload = probe
    ? { action: "opened", issue: { number: 0, title: message }, repository, sender }
    : options.event === "ping" || options.event === "probe"
    ? { zen: "Keep it logically awesome.", hook_id: 1, repository, sender }
    : {
        ref,
        before: "0000000000000000000000000000000000000000",
        after: rev,
        created: true,
        deleted: false,
        forced: false,
        head_commit: { id: rev, message, added: [], modified: ["README.md"], removed: [] },
        commits: options.event === "tag" ? [] : [{ id: rev, message, added: [], modified: ["README.md"], removed: [] }],
        total_commits: options.event === "tag" ? 0 : 1,
        repository,
        pusher: { name: options.sender },
        sender,
      };
  const body = JSON.stringify(payload);
  const hex = options.secret ? createHmac("sha256", options.secret).update(body).digest("hex") : "";

  if (options.forge === "github") {
    return {
      deliveryId,
      body,
      headers: {
        ...common,
        "x-github-event": options.event === "ping" || options.event === "probe" ? "ping" : "push",
        "x-github-delivery": deliveryId,
        ...(hex ? { "x-hub-signature-256": `sha256=${hex}` } : {}),
      },
    };
  }
  // Gitea, Forgejo and Gogs: the forge's own prefix, bare hex over the JSON.
  const prefix = options.forge === "gogs" ? "x-gogs" : options.forge === "forgejo" ? "x-forgejo" : "x-gitea";
  return {
    deliveryId,
    body,
    headers: {
      ...common,
      [`${prefix}-event`]: probe ? "issues" : "push",
      [`${prefix}-delivery`]: deliveryId,
      [`${prefix}-signature`]: hex,
    },
  };
}

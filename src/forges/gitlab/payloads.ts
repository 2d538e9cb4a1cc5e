// The parts of GitLab's payloads that laminar-hooks reads.
// https://docs.gitlab.com/user/project/integrations/webhook_events/

import { z } from "zod";
import { pushedCommit } from "../shared/payload-schemas.ts";

const gitlabProject = z.object({
  path_with_namespace: z.string().min(1),
  git_http_url: z.string().nullish(),
  git_ssh_url: z.string().nullish(),
});

/** `Push Hook` and `Tag Push Hook` share one shape. */
export const gitlabPush = z.object({
  ref: z.string().min(1),
  before: z.string().nullish(),
  after: z.string().min(1),
  checkout_sha: z.string().nullish(),
  user_username: z.string().nullish(),
  project: gitlabProject,
  commits: z.array(pushedCommit).nullish(),
  total_commits_count: z.number().int().nullish(),
});

export const gitlabMergeRequest = z.object({
  user: z.object({ username: z.string().nullish() }).nullish(),
  project: gitlabProject,
  object_attributes: z.object({
    iid: z.number().int(),
    action: z.string().nullish(),
    title: z.string().nullish(),
    source_branch: z.string().min(1),
    target_branch: z.string().min(1),
    // Present on `update` when the source branch got new commits.
    oldrev: z.string().nullish(),
    last_commit: z.object({ id: z.string().min(1) }).nullish(),
    source: z.object({ git_http_url: z.string().nullish(), git_ssh_url: z.string().nullish() }).nullish(),
  }),
});

export const gitlabAnyEvent = z.object({
  project: z.object({ path_with_namespace: z.string().min(1) }).nullish(),
});

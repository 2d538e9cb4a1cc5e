// The parts of the Gitea-dialect payloads (Gitea, Forgejo, Gogs) that laminar-hooks reads.
// Go marshals an empty slice as null, so lists are nullable.
// https://github.com/go-gitea/gitea/blob/main/modules/structs/hook.go
// https://github.com/gogs/go-gogs-client/blob/master/repo_hook.go

import { z } from "zod";
import { cloneUrls, pushedCommit, releaseEvent, repository } from "../shared/payload-schemas.ts";

/** Gitea and Gogs users carry both `login` and `username`. */
const user = z.object({ login: z.string().nullish(), username: z.string().nullish() });

export const giteaPush = z.object({
  ref: z.string().min(1),
  before: z.string().nullish(),
  after: z.string().min(1),
  commits: z.array(pushedCommit).nullish(),
  // Gitea 1.18+ and Forgejo: how many commits the push had, before the payload was cut short.
  total_commits: z.number().int().nullish(),
  head_commit: pushedCommit.nullish(),
  repository,
  pusher: user.nullish(),
  sender: user.nullish(),
});

export const giteaPullRequest = z.object({
  action: z.string().min(1),
  number: z.number().int(),
  pull_request: z.object({
    title: z.string().nullish(),
    // Gitea and Forgejo: GitHub's head/base layout; head.repo is null when the fork was deleted.
    head: z.object({ ref: z.string().min(1), sha: z.string().nullish(), repo: cloneUrls.nullish() }).nullish(),
    base: z.object({ ref: z.string().min(1) }).nullish(),
    // Gogs: branch names and repositories, and no head commit id at all.
    head_branch: z.string().nullish(),
    base_branch: z.string().nullish(),
    head_repo: cloneUrls.nullish(),
  }),
  repository,
  sender: user.nullish(),
});

export const giteaRelease = releaseEvent(user);

export type GiteaUser = z.output<typeof user>;

// The parts of GitHub's payloads that laminar-hooks reads; everything else is dropped.
// https://docs.github.com/en/webhooks/webhook-events-and-payloads

import { z } from "zod";
import { cloneUrls, pushedCommit, releaseEvent, repository } from "../shared/payload-schemas.ts";

const user = z.object({ login: z.string().nullish() });

export const githubPush = z.object({
  ref: z.string().min(1),
  before: z.string().nullish(),
  after: z.string().min(1),
  deleted: z.boolean().nullish(),
  head_commit: pushedCommit.nullish(),
  commits: z.array(pushedCommit).nullish(),
  repository,
  sender: user.nullish(),
  pusher: z.object({ name: z.string().nullish() }).nullish(),
});

export const githubPullRequest = z.object({
  action: z.string().min(1),
  number: z.number().int(),
  before: z.string().nullish(),
  pull_request: z.object({
    title: z.string().nullish(),
    // head.repo is null when the fork the pull request comes from was deleted.
    head: z.object({ sha: z.string().min(1), ref: z.string().min(1), repo: cloneUrls.nullish() }),
    base: z.object({ ref: z.string().min(1) }),
  }),
  repository,
  sender: user.nullish(),
});

export const githubRelease = releaseEvent(user);

/** An organization or GitHub App hook's ping has no repository. */
export const githubPing = z.object({
  repository: repository.nullish(),
  sender: user.nullish(),
});

// The parts of GitHub's payloads that laminar-hooks reads; everything else passes through untouched.
// https://docs.github.com/en/webhooks/webhook-events-and-payloads

import { z } from "zod";
import { pushedCommit } from "./shared-payloads.ts";

const user = z.looseObject({ login: z.string().nullish() });

export const githubRepository = z.looseObject({
  full_name: z.string().min(1),
  clone_url: z.string().nullish(),
  ssh_url: z.string().nullish(),
});

export const githubPush = z.looseObject({
  ref: z.string().min(1),
  before: z.string().nullish(),
  after: z.string().min(1),
  deleted: z.boolean().nullish(),
  head_commit: pushedCommit.nullish(),
  commits: z.array(pushedCommit).nullish(),
  repository: githubRepository,
  sender: user.nullish(),
  pusher: z.looseObject({ name: z.string().nullish() }).nullish(),
});

const prHeadRepo = z.looseObject({ clone_url: z.string().nullish(), ssh_url: z.string().nullish() });

export const githubPullRequest = z.looseObject({
  action: z.string().min(1),
  number: z.number().int(),
  before: z.string().nullish(),
  pull_request: z.looseObject({
    title: z.string().nullish(),
    // head.repo is null when the fork the pull request comes from was deleted.
    head: z.looseObject({ sha: z.string().min(1), ref: z.string().min(1), repo: prHeadRepo.nullish() }),
    base: z.looseObject({ ref: z.string().min(1) }),
  }),
  repository: githubRepository,
  sender: user.nullish(),
});

export const githubRelease = z.looseObject({
  action: z.string().min(1),
  release: z.looseObject({
    tag_name: z.string().min(1),
    name: z.string().nullish(),
    target_commitish: z.string().nullish(),
  }),
  repository: githubRepository,
  sender: user.nullish(),
});

/** An organization or GitHub App hook's ping has no repository. */
export const githubPing = z.looseObject({
  repository: githubRepository.nullish(),
  sender: user.nullish(),
});

// The parts of GitHub's payloads that laminar-hooks reads; everything else passes through untouched.
// https://docs.github.com/en/webhooks/webhook-events-and-payloads

import { z } from "zod";
import { pushedCommit } from "./shared-payloads.ts";

const user = z.object({ login: z.string().nullish() });

export const githubRepository = z.object({
  full_name: z.string().min(1),
  clone_url: z.string().nullish(),
  ssh_url: z.string().nullish(),
});

export const githubPush = z.object({
  ref: z.string().min(1),
  before: z.string().nullish(),
  after: z.string().min(1),
  deleted: z.boolean().nullish(),
  head_commit: pushedCommit.nullish(),
  commits: z.array(pushedCommit).nullish(),
  repository: githubRepository,
  sender: user.nullish(),
  pusher: z.object({ name: z.string().nullish() }).nullish(),
});

const prHeadRepo = z.object({ clone_url: z.string().nullish(), ssh_url: z.string().nullish() });

export const githubPullRequest = z.object({
  action: z.string().min(1),
  number: z.number().int(),
  before: z.string().nullish(),
  pull_request: z.object({
    title: z.string().nullish(),
    // head.repo is null when the fork the pull request comes from was deleted.
    head: z.object({ sha: z.string().min(1), ref: z.string().min(1), repo: prHeadRepo.nullish() }),
    base: z.object({ ref: z.string().min(1) }),
  }),
  repository: githubRepository,
  sender: user.nullish(),
});

export const githubRelease = z.object({
  action: z.string().min(1),
  release: z.object({
    tag_name: z.string().min(1),
    name: z.string().nullish(),
    target_commitish: z.string().nullish(),
  }),
  repository: githubRepository,
  sender: user.nullish(),
});

/** An organization or GitHub App hook's ping has no repository. */
export const githubPing = z.object({
  repository: githubRepository.nullish(),
  sender: user.nullish(),
});

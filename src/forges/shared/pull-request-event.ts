// A pull (or merge) request in the event model, from the facts each forge reads out of its own
// payload. GitHub, the Gitea dialect and GitLab differ in where those facts stand and in what their
// actions are called (each normaliser maps its own names), not in what they mean.

import type { Envelope, HookEvent } from "../../types.ts";
import { firstLine } from "./commit-message.ts";
import { compact } from "./compact.ts";
import { isZeroSha } from "./refs.ts";
import type { Normalised } from "../types.ts";

type Maybe<T> = T | null | undefined;

interface PullRequestFacts {
  /** In the event model's words: opened, synchronize, reopened, closed, edited, … */
  action: Maybe<string>;
  repo: string;
  /** Where the forge keeps the head: refs/pull/N/head, refs/merge-requests/N/head. */
  ref: string;
  /** The head branch. */
  branch: string;
  /** The head commit; Gogs sends none, and jobs then fetch `ref`. */
  rev: Maybe<string>;
  /** Where the head was before new commits (GitHub's `synchronize` alone says). */
  before?: Maybe<string>;
  /** The repository the head comes from (a fork's), else the base repository's. */
  cloneUrl: Maybe<string>;
  sshUrl: Maybe<string>;
  pr: number;
  baseBranch: string;
  sender: Maybe<string>;
  title: Maybe<string>;
}

export function pullRequestEvent(envelope: Envelope, facts: PullRequestFacts): Normalised {
  const event: HookEvent = {
    forge: envelope.forge,
    forgeEvent: envelope.event,
    kind: "pull_request",
    deleted: false,
    ...compact<HookEvent>({
      action: facts.action,
      repo: facts.repo,
      ref: facts.ref,
      branch: facts.branch,
      rev: facts.rev,
      before: isZeroSha(facts.before) ? undefined : facts.before,
      cloneUrl: facts.cloneUrl,
      sshUrl: facts.sshUrl,
      pr: facts.pr,
      baseBranch: facts.baseBranch,
      sender: facts.sender,
      title: firstLine(facts.title),
    }),
  };
  return { handled: true, event };
}

// A branch or tag push in the event model, from the facts each forge reads out of its own payload.
// The three forges differ in where those facts stand, not in what they mean.

import type { Envelope, HookEvent } from "../../types.ts";
import type { ChangedFiles } from "./changed-files.ts";
import { firstLine } from "./commit-message.ts";
import { compact } from "./compact.ts";
import { ignored } from "./ignored.ts";
import { isZeroSha, parseRef } from "./refs.ts";
import type { Normalised } from "../types.ts";

interface PushFacts {
  ref: string;
  repo: string;
  before: string | null | undefined;
  /** The commit the ref points to now; undefined for a deletion. */
  rev: string | undefined;
  cloneUrl: string | null | undefined;
  sshUrl: string | null | undefined;
  sender: string | null | undefined;
  /** The head commit's whole message, when the payload has it. */
  headMessage: string | null | undefined;
  /** The paths the push touched; asked only for a branch push that is not a deletion. */
  changedFiles(created: boolean): ChangedFiles;
}

/** `push` or `tag` for a branch or tag ref (a deletion has no `rev`); anything else is ignored. */
export function pushEvent(envelope: Envelope, push: PushFacts): Normalised {
  const ref = parseRef(push.ref);
  if (ref.kind === "other") return ignored(envelope, push.repo, `ref "${push.ref}" is neither a branch nor a tag`);
  const deleted = push.rev === undefined;
  const created = isZeroSha(push.before);
  const event: HookEvent = {
    forge: envelope.forge,
    forgeEvent: envelope.event,
    kind: ref.kind === "tag" ? "tag" : "push",
    deleted,
    ...compact<HookEvent>({
      repo: push.repo,
      ref: push.ref,
      branch: ref.kind === "branch" ? ref.name : undefined,
      tag: ref.kind === "tag" ? ref.name : undefined,
      rev: push.rev,
      before: created ? undefined : push.before,
      cloneUrl: push.cloneUrl,
      sshUrl: push.sshUrl,
      sender: push.sender,
      title: firstLine(push.headMessage),
      headCommitMessage: push.headMessage,
      changedFiles: ref.kind === "branch" && !deleted ? push.changedFiles(created) : undefined,
    }),
  };
  return { handled: true, event };
}

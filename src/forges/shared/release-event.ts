// A release in the event model: GitHub and the Gitea dialect send the same `release` payload.

import type { Envelope, HookEvent } from "../../types.ts";
import { firstLine } from "./commit-message.ts";
import { compact } from "./compact.ts";
import { isCommitId, tagRef } from "./refs.ts";
import type { Normalised } from "../types.ts";

interface ReleaseFacts {
  action: string;
  release: { tag_name: string; name?: string | null | undefined; target_commitish?: string | null | undefined };
  repository: { full_name: string; clone_url?: string | null | undefined; ssh_url?: string | null | undefined };
  sender: string | undefined;
}

export function releaseEvent(envelope: Envelope, { action, release, repository, sender }: ReleaseFacts): Normalised {
  const event: HookEvent = {
    forge: envelope.forge,
    forgeEvent: envelope.event,
    kind: "release",
    deleted: false,
    ...compact<HookEvent>({
      action,
      repo: repository.full_name,
      ref: tagRef(release.tag_name),
      tag: release.tag_name,
      // target_commitish is usually a branch name, which is not a commit to build.
      rev: isCommitId(release.target_commitish) ? release.target_commitish : undefined,
      cloneUrl: repository.clone_url,
      sshUrl: repository.ssh_url,
      sender,
      title: firstLine(release.name) ?? release.tag_name,
    }),
  };
  return { handled: true, event };
}

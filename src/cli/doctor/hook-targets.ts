// Which repositories' hooks doctor can ask about, and why not the others.

import type { Secret } from "../../config/secret.ts";
import type { Config, EventKind, ForgeName } from "../../types.ts";
import type { PushJob } from "./check-branch-filter.ts";
import { note, type Finding } from "./finding.ts";

/** A repository whose hook can be asked for: an exact name, a forge with an API, a token. */
export interface HookTarget {
  repo: string;
  forge: ForgeName;
  api: string;
  token: Secret;
  needs: EventKind[];
  /** The jobs that build its pushes, for a hook's branch filter. */
  pushJobs: PushJob[];
}

const GLOB = /[*?[\]{}]/;

/** The repositories to ask about, and a note for each one that cannot be. Pure. */
export function hookTargets(config: Config): { targets: HookTarget[]; notes: Finding[] } {
  const targets: HookTarget[] = [];
  const notes: Finding[] = [];
  if (config.server.publicUrl === undefined) return { targets, notes };
  for (const repository of config.repositories) {
    const subject = `${repository.forge ?? "repository"} ${repository.repo} hook`;
    const forge = repository.forge;
    if (GLOB.test(repository.repo)) {
      notes.push(note(subject, "a glob names many repositories: their hooks were not checked", "list the repositories that matter by name to have their hooks checked"));
    } else if (forge === undefined) {
      notes.push(note(subject, "no forge: set, so doctor does not know which API to ask", "add forge: (github, gitea, forgejo, gogs or gitlab) to the repository"));
    } else {
      const token = repository.token ?? config.forges[forge]?.token;
      const api = config.forges[forge]?.api;
      if (token === undefined) {
        notes.push(note(subject, "no API token for it: its hook was not checked", `set forges.${forge}.token (or the repository's token:) to one that may read its webhooks`));
      } else if (token.unreadable !== undefined) {
        // The operator's shell often cannot read the service's tokens (its environment, files only its user reads).
        notes.push(note(subject, `${token.unreadable}: its hook was not checked`, "run doctor as the service's user, with its environment, to check it"));
      } else if (api === undefined) {
        notes.push(note(subject, `forges.${forge}.api is not set: its hook was not checked`, `set forges.${forge}.api to the forge's API root`));
      } else {
        const needs = [...new Set(repository.jobs.flatMap((job) => job.events))];
        const pushJobs = repository.jobs.filter((job) => job.events.includes("push"))
          .map((job) => ({ job: job.job, ...(job.branches === undefined ? {} : { branches: job.branches }) }));
        targets.push({ repo: repository.repo, forge, api, token, needs, pushJobs });
      }
    }
  }
  return { targets, notes };
}

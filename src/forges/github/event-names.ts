// Every event GitHub defines, from the octokit list generated from GitHub's own webhook schema,
// so that a header naming something GitHub never sends is a clear 400 rather than "ignored".

import { emitterEventNames } from "@octokit/webhooks";

/** `push`, `pull_request`, … without octokit's `event.action` combinations. */
export const GITHUB_EVENTS: ReadonlySet<string> = new Set(emitterEventNames.filter((name) => !name.includes(".")));

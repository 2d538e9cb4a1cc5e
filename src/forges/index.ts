// Wiring: the forges by name, and which one sent a request when the URL does not say.

import type { ForgeName, Headers } from "../types.ts";
import { forgejo } from "./forgejo/index.ts";
import { gitea } from "./gitea/index.ts";
import { github } from "./github/index.ts";
import { gitlab } from "./gitlab/index.ts";
import { gogs } from "./gogs/index.ts";
import type { Forge } from "./types.ts";

export { withoutSecrets } from "./shared/without-secrets.ts";

export const forges: Readonly<Record<ForgeName, Forge>> = Object.freeze({ github, gitea, forgejo, gogs, gitlab });

/** Most specific first: Forgejo also sends Gitea's headers, Gitea also sends Gogs' and GitHub's. */
const DETECTION_ORDER: readonly Forge[] = [forgejo, gitea, gogs, gitlab, github];

/** Detect in the order Forgejo, Gitea, Gogs, GitLab, GitHub (Gitea also sends Gogs' and GitHub's headers). undefined when none matches. */
export function detectForge(headers: Headers): Forge | undefined {
  return DETECTION_ORDER.find((forge) => forge.detect(headers));
}

// How each forge is named in messages a person reads.

import type { ForgeName } from "../../types.ts";

export const FORGE_LABELS: Readonly<Record<ForgeName, string>> = {
  github: "GitHub",
  gitea: "Gitea",
  forgejo: "Forgejo",
  gogs: "Gogs",
  gitlab: "GitLab",
};

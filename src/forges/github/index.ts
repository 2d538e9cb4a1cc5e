// GitHub: https://docs.github.com/en/webhooks

import { readRepositoryFullName } from "../shared/payload-schemas.ts";
import { hasHeader } from "../shared/read-header.ts";
import type { Forge } from "../types.ts";
import { readGitHubEnvelope } from "./envelope.ts";
import { normaliseGitHub } from "./normalise.ts";
import { hasGitHubSignature, verifyGitHubSignature } from "./signature.ts";

export const github: Forge = {
  name: "github",
  // Gitea, Forgejo and Gogs send X-GitHub-Event too; detectForge asks them first.
  detect: (headers) => hasHeader(headers, "X-GitHub-Event"),
  readEnvelope: readGitHubEnvelope,
  hasSignature: hasGitHubSignature,
  verify: verifyGitHubSignature,
  readRepository: readRepositoryFullName,
  normalise: normaliseGitHub,
};

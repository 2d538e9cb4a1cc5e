// GitLab: https://docs.gitlab.com/user/project/integrations/webhooks/

import { hasHeader } from "../shared/read-header.ts";
import type { Forge } from "../types.ts";
import { readGitLabEnvelope } from "./envelope.ts";
import { normaliseGitLab, readGitLabRepository } from "./normalise.ts";
import { hasGitLabSignature, verifyGitLabSignature } from "./signature.ts";
import { staleStandardWebhook } from "./standard-webhooks.ts";

export const gitlab: Forge = {
  name: "gitlab",
  detect: (headers) => hasHeader(headers, "X-Gitlab-Event"),
  readEnvelope: readGitLabEnvelope,
  hasSignature: hasGitLabSignature,
  verify: verifyGitLabSignature,
  staleSignature: staleStandardWebhook,
  readRepository: readGitLabRepository,
  normalise: normaliseGitLab,
};

// Gitea: https://docs.gitea.com/usage/webhooks

import { giteaDialectForge } from "./dialect.ts";
import { GITEA_EVENTS } from "./event-names.ts";

export const gitea = giteaDialectForge({
  name: "gitea",
  headerPrefix: "Gitea",
  signatureHeaders: ["X-Gitea-Signature"],
  events: GITEA_EVENTS,
});

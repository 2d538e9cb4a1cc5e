// Forgejo: https://forgejo.org/docs/latest/user/webhooks/
// It sends X-Forgejo-* and, for compatibility, every X-Gitea-* header as well.

import { giteaDialectForge } from "../gitea/dialect.ts";
import { GITEA_EVENTS } from "../gitea/event-names.ts";

export const forgejo = giteaDialectForge({
  name: "forgejo",
  headerPrefix: "Forgejo",
  signatureHeaders: ["X-Forgejo-Signature", "X-Gitea-Signature"],
  events: GITEA_EVENTS,
});

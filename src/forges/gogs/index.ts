// Gogs: https://gogs.io/docs/features/webhook

import { giteaDialectForge } from "../gitea/dialect.ts";
import { GOGS_EVENTS } from "./event-names.ts";

export const gogs = giteaDialectForge({
  name: "gogs",
  headerPrefix: "Gogs",
  signatureHeaders: ["X-Gogs-Signature"],
  events: GOGS_EVENTS,
});

// One Forge for each speaker of Gitea's dialect. Forgejo is a fork of Gitea and Gitea began as a
// fork of Gogs: same payloads, each with its own header prefix. Gitea also sends X-Gogs-* and
// X-GitHub-* headers, Forgejo also sends X-Gitea-*, so detection asks the most specific first
// (see index.ts).

import { HttpError } from "../../errors.ts";
import { readRepositoryFullName } from "../shared/payload-schemas.ts";
import type { ForgeName } from "../../types.ts";
import { FORGE_LABELS } from "../shared/forge-labels.ts";
import { normaliseGitea } from "./normalise.ts";
import { giteaSignature, verifyGiteaSignature } from "./signature.ts";
import { hasHeader, headerValue, requireHeader } from "../shared/read-header.ts";
import type { Forge } from "../types.ts";

interface GiteaDialect {
  name: ForgeName;
  /** `Gitea` for X-Gitea-Event, X-Gitea-Delivery, … */
  headerPrefix: string;
  /** Signature headers, most specific first. */
  signatureHeaders: readonly string[];
  events: ReadonlySet<string>;
}

export function giteaDialectForge(dialect: GiteaDialect): Forge {
  const label = FORGE_LABELS[dialect.name];
  const eventHeader = `X-${dialect.headerPrefix}-Event`;
  const eventTypeHeader = `X-${dialect.headerPrefix}-Event-Type`;
  const deliveryHeader = `X-${dialect.headerPrefix}-Delivery`;
  return {
    name: dialect.name,
    detect: (headers) => hasHeader(headers, eventHeader),
    readEnvelope(headers) {
      // X-Gitea-Event holds HookEventType.Event(), which is empty for the event types it does not
      // map (package, status, … in some versions); X-Gitea-Event-Type still names them.
      const event =
        headerValue(headers, eventHeader) ??
        headerValue(headers, eventTypeHeader) ??
        requireHeader(headers, eventHeader, label);
      // Not signed: "Replay" sends the same body under a new id, a duplicate of the push it built
      // (journal/catch-up-heads.ts; docs/how-it-works.md, "One push, one build").
      const deliveryId = requireHeader(headers, deliveryHeader, label);
      if (!dialect.events.has(event)) {
        throw new HttpError(400, `unknown ${label} event "${event}" in ${eventHeader}: ${label} defines no such event`, {
          event,
        });
      }
      return { forge: dialect.name, event, deliveryId };
    },
    hasSignature: (headers) => giteaSignature(headers, dialect.signatureHeaders) !== undefined,
    verify: (delivery, secret) => verifyGiteaSignature(delivery, secret, dialect.signatureHeaders),
    readRepository: readRepositoryFullName,
    normalise: normaliseGitea,
  };
}

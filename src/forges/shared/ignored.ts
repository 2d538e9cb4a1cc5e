// The answer for a real forge event that laminar-hooks does not route (create, delete, issues, …).

import type { Envelope } from "../../types.ts";
import { FORGE_LABELS } from "./forge-labels.ts";
import type { Normalised } from "../types.ts";

/** `{ handled: false }` with the repository when the payload names one, and a reason a person reads. */
export function ignored(envelope: Envelope, repo: string | undefined, reason?: string): Normalised {
  const label = FORGE_LABELS[envelope.forge];
  return {
    handled: false,
    forgeEvent: envelope.event,
    ...(repo === undefined ? {} : { repo }),
    reason: reason ?? `${label} "${envelope.event}" events start no jobs; laminar-hooks routes pushes, tags, pull requests and releases`,
  };
}

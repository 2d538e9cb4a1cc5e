// normalise → find the repository → route: the one way from a payload to the jobs it starts, for
// the hook endpoint, `redeliver` and catch-up alike. Pure: config, forge and payload in, a plan out.

import { HttpError } from "../errors.ts";
import type { Forge } from "../forges/types.ts";
import { findRepository, route } from "../routing/index.ts";
import type { Config, Envelope, ForgeName, HookEvent, RepositoryConfig, RoutingResult } from "../types.ts";

/** What a delivery turned out to be: nothing to route (still journaled, so `show` can say so), or routed. */
export type Plan =
  | { kind: "ping" | "ignored"; repo: string | undefined; note: string }
  | RoutedPlan;

interface RoutedPlan {
  kind: "routed";
  event: HookEvent;
  routing: RoutingResult;
}

/** Where a payload says it belongs: the repository's name, and the config's entry for it. */
export interface Located {
  repoName: string | undefined;
  repository: RepositoryConfig | undefined;
}

const PING_NOTE = "ping: the hook reaches laminar-hooks and the secret matches";

/**
 * `check` runs once the repository is known and before the payload is normalised: the hook endpoint
 * verifies the signature there (the secret may be the repository's), so nothing of an unverified
 * payload is judged. Throws HttpError: 404 for a repository not in the config, 400 for a payload
 * that lacks what its event needs.
 */
export function planDelivery(
  config: Config, forge: Forge, envelope: Envelope, payload: unknown, check?: (located: Located) => void,
): Plan {
  const repoName = forge.readRepository(payload);
  const repository = repoName === undefined ? undefined : findRepository(config, forge.name, repoName);
  check?.({ repoName, repository });
  const normalised = forge.normalise(envelope, payload);
  // A GitHub ping is answered also for a repository not configured yet: it is how a hook is tested.
  if (normalised.handled && normalised.event.kind === "ping") {
    return { kind: "ping", repo: normalised.event.repo ?? repoName, note: PING_NOTE };
  }
  if (!repository) throw notConfigured(forge.name, repoName);
  if (!normalised.handled) return { kind: "ignored", repo: normalised.repo ?? repoName, note: normalised.reason };
  return routeEvent(repository, normalised.event, envelope.deliveryId, payload);
}

/**
 * An event already in the common model into jobs: how catch-up's own deliveries (found by polling,
 * no payload of a forge) join the path. `payload` is what `{{ payload.… }}` params read.
 */
export function routeEvent(repository: RepositoryConfig, event: HookEvent, deliveryId: string, payload: unknown): RoutedPlan {
  return { kind: "routed", event, routing: route(event, repository, deliveryId, payload) };
}

export function notConfigured(forge: ForgeName, repoName: string | undefined): HttpError {
  return new HttpError(404, `repository ${repoName ?? "(none)"} is not in the config for ${forge}`);
}

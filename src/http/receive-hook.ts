// The hook endpoint: checks at the edge in a fixed order (forge → content type → headers → body →
// signature), then normalises, routes, journals and answers. The journal's transaction tells a
// duplicate from a new delivery, so two copies of one delivery cannot both be queued.

import type { Context } from "koa";
import { HttpError } from "../errors.ts";
import { compact } from "../forges/shared/compact.ts";
import { forges, detectForge, withoutSecrets } from "../forges/index.ts";
import type { Forge } from "../forges/types.ts";
import { findRepository, route, verificationFor } from "../routing/index.ts";
import {
  FORGE_NAMES, type Config, type Envelope, type ForgeName, type HookEvent, type IncomingDelivery, type JobRequest, type RoutingResult,
  type TraceLine,
} from "../types.ts";
import { clientAddress } from "./client-address.ts";
import { keptHeaders } from "./kept-headers.ts";
import { readDelivery } from "./read-delivery.ts";
import type { DeliveryInput, PushedHead } from "../journal/index.ts";
import type { HookServices } from "./services.ts";

/** Finds the forge from the URL (`/hooks/gitea`) or, failing that, from the headers. */
export function chooseForge(ctx: Context): Forge {
  const named = ctx.params?.forge;
  if (named !== undefined) {
    // Own keys only: `/hooks/__proto__` or `/hooks/toString` must not find Object.prototype's.
    const forge = Object.hasOwn(forges, named) ? (forges as Record<string, Forge | undefined>)[named] : undefined;
    if (!forge) throw new HttpError(404, `unknown forge "${named}"; use one of ${FORGE_NAMES.join(", ")}`);
    return forge;
  }
  const detected = detectForge(ctx.headers);
  if (!detected) {
    throw new HttpError(400, "cannot tell which forge sent this: no X-GitHub-Event, X-Gitea-Event, X-Forgejo-Event, X-Gogs-Event or X-Gitlab-Event header");
  }
  return detected;
}

/** JSON or a form with a `payload` field: what the forges send. */
export function chooseContentType(ctx: Context): "json" | "form" {
  const type = ctx.is("application/json", "application/x-www-form-urlencoded");
  if (type === "application/json") return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  const given = ctx.get("content-type") || "none";
  throw new HttpError(415, `content type ${given} is not accepted; send application/json or application/x-www-form-urlencoded`);
}

/** The work after the body is read: verification, routing, journal, answer. */
export async function receiveHook(
  ctx: Context, forge: Forge, envelope: Envelope, contentType: "json" | "form", body: Buffer, services: HookServices,
): Promise<void> {
  const config = services.getConfig();
  // Prepared in a plain function, not here: V8 keeps every local of an async function alive across
  // its awaits, and the parsed payload (tens of KB of objects) would then live through the journal's
  // commit and its sync, to be copied by the scavenges meanwhile (~5 % of their time at c=50).
  const prepared = prepareDelivery(ctx, forge, envelope, contentType, body, config, services.now());
  if (prepared.kind === "unrouted") {
    await answerUnrouted(ctx, services, prepared.input, prepared.message);
    return;
  }
  const { routing } = prepared;
  // Committed with the other deliveries of this turn of the event loop (group commit), durably,
  // before anything is answered. The journal decides whether this is a duplicate, in the same
  // transaction that records it.
  const recorded = await services.journal.commitDelivery(prepared.input);
  if (recorded.duplicate) {
    services.observe.delivery(forge.name, envelope.event, "duplicate");
    ctx.status = 200;
    ctx.body = {
      message: recorded.duplicateOf === undefined
        ? `duplicate: delivery ${envelope.deliveryId} was accepted before (journal id ${recorded.id}); nothing queued again`
        : `duplicate: ${prepared.input.ref ?? "this push"} at this head was built already from ${recorded.duplicateOf.deliveryId} (journal id ${recorded.duplicateOf.id}), found by polling before this webhook arrived; nothing queued again`,
      duplicate: true,
      id: recorded.id,
      delivery: envelope.deliveryId,
    };
    return;
  }

  if (routing.jobs.length === 0) {
    services.observe.delivery(forge.name, envelope.event, "unmatched");
    ctx.status = 200;
    ctx.body = {
      message: prepared.unmatched,
      id: recorded.id,
      delivery: envelope.deliveryId,
      trace: routing.trace,
    };
    return;
  }

  services.kick();
  services.observe.delivery(forge.name, envelope.event, "accepted");
  ctx.status = 202;
  ctx.body = {
    message: `accepted: ${routing.jobs.length === 1 ? "1 job" : `${routing.jobs.length} jobs`} will be queued in Laminar (${routing.jobs.map((job) => job.job).join(", ")})`,
    id: recorded.id,
    delivery: envelope.deliveryId,
    jobs: routing.jobs.map((job) => ({
      job: job.job,
      ...(config.laminar.baseUrl ? { url: `${config.laminar.baseUrl}/jobs/${job.job}` } : {}),
    })),
    trace: routing.trace,
  };
}

/** A delivery verified and routed, ready for the journal, with what its answer needs. */
type Prepared =
  | { kind: "unrouted"; input: DeliveryInput & { kind: "ping" | "ignored" }; message: string }
  | { kind: "routed"; input: DeliveryInput; routing: RoutingResult; unmatched: string };

/** Parses, verifies, normalises and routes; throws HttpError for what is refused. */
function prepareDelivery(
  ctx: Context, forge: Forge, envelope: Envelope, contentType: "json" | "form", body: Buffer, config: Config, receivedAt: number,
): Prepared {
  const delivery = readDelivery(ctx.headers, body, contentType);
  const repoName = forge.readRepository(delivery.payload);
  const repository = repoName === undefined ? undefined : findRepository(config, forge.name, repoName);

  verify(forge, delivery, config, repository, repoName, envelope, receivedAt);
  // From here on, only the payload without its secret fields: it is what gets journaled and routed.
  const kept = withoutSecrets(delivery.payload, delivery.payloadText);

  const normalised = forge.normalise(envelope, kept.payload);
  // For the one log line of this delivery (create-app's answer logging).
  const logged = ctx.state as { repo?: string; ref?: string };
  if (repoName !== undefined) logged.repo = repoName;
  if (normalised.handled && normalised.event.ref !== undefined) logged.ref = normalised.event.ref;
  const received: Received = {
    forge: forge.name,
    deliveryId: envelope.deliveryId,
    forgeEvent: envelope.event,
    headers: keptHeaders(ctx.headers),
    payload: kept.text,
    remoteAddress: clientAddress(ctx, config.server.trustProxy),
    receivedAt,
  };

  if (normalised.handled && normalised.event.kind === "ping") {
    const note = "ping: the hook reaches laminar-hooks and the secret matches";
    return { kind: "unrouted", input: deliveryInput(received, { kind: "ping", note, repo: normalised.event.repo ?? repoName }), message: "pong" };
  }
  if (!repository) {
    throw new HttpError(404, `repository ${repoName ?? "(none)"} is not in the config for ${forge.name}`);
  }
  if (!normalised.handled) {
    const note = normalised.reason;
    const input = deliveryInput(received, { kind: "ignored", note, repo: normalised.repo ?? repoName });
    return { kind: "unrouted", input, message: `ignored: ${note}` };
  }
  const event = normalised.event;
  const routing = route(event, repository, envelope.deliveryId, kept.payload);
  const input = deliveryInput(received, {
    kind: event.kind, action: event.action, repo: event.repo, ref: event.ref, sender: event.sender, note: routing.note,
  }, routing.trace, routing.jobs);
  const head = pushedHead(event);
  if (head !== undefined) input.head = head;
  return { kind: "routed", input, routing, unmatched: routing.jobs.length === 0 ? unmatchedMessage(event, routing) : "" };
}

/** Verified, but nothing to route: still journaled, so `show` can say what came and why. */
async function answerUnrouted(
  ctx: Context, services: HookServices, delivery: DeliveryInput & { kind: "ping" | "ignored" }, message: string,
): Promise<void> {
  const recorded = await services.journal.commitDelivery(delivery);
  services.observe.delivery(delivery.forge, delivery.forgeEvent, delivery.kind);
  ctx.status = 200;
  ctx.body = { message, id: recorded.id, delivery: delivery.deliveryId };
}

/** What every journaled delivery records, whatever it turns out to be. */
interface Received {
  forge: ForgeName;
  deliveryId: string;
  forgeEvent: string;
  headers: DeliveryInput["headers"];
  payload: string;
  remoteAddress: string;
  receivedAt: number;
}

/** What it turned out to be; empty values are left out of the journal's row. */
interface Described<K extends string> {
  kind: K;
  action?: string | undefined;
  repo?: string | undefined;
  ref?: string | undefined;
  sender?: string | undefined;
  note?: string | undefined;
}

/**
 * The journal's input, written out field by field with the optional ones spread last: `{ ...received,
 * kind, … }` took ~8 µs a delivery on Node 20's slow path for literals that start with a spread
 * (see forges/compact.ts).
 */
function deliveryInput<K extends string>(
  received: Received, described: Described<K>, trace: readonly TraceLine[] = [], jobs: readonly JobRequest[] = [],
): DeliveryInput & { kind: K } {
  return {
    forge: received.forge,
    deliveryId: received.deliveryId,
    forgeEvent: received.forgeEvent,
    headers: received.headers,
    payload: received.payload,
    remoteAddress: received.remoteAddress,
    receivedAt: received.receivedAt,
    kind: described.kind,
    trace,
    jobs,
    ...compact<Pick<DeliveryInput, "action" | "repo" | "ref" | "sender" | "note">>({
      action: described.action, repo: described.repo, ref: described.ref, sender: described.sender, note: described.note,
    }),
  };
}

/**
 * 401 unless the delivery carries a valid signature for the secret that applies to it. An
 * unknown repository is checked against the forge's secret when there is one, so that a GitHub
 * ping for a repository not configured yet can be answered, and so that the 404 is not an oracle
 * for unsigned callers.
 */
function verify(
  forge: Forge, delivery: IncomingDelivery, config: Config, repository: ReturnType<typeof findRepository>,
  repoName: string | undefined, envelope: Envelope, now: number,
): void {
  const verification = verificationFor(config, forge.name, repository);
  if (verification.kind === "insecure") return;
  if (verification.kind === "none") {
    if (!repository) {
      throw new HttpError(404, `repository ${repoName ?? "(none)"} is not in the config for ${forge.name}`);
    }
    throw new HttpError(401, `${verification.reason}; the delivery cannot be verified`);
  }
  if (!forge.hasSignature(delivery.headers)) {
    throw new HttpError(401, `missing signature: set the same secret in the ${forge.name} webhook and in laminar-hooks (${describeSecret(repository, forge.name)})`);
  }
  if (!forge.verify(delivery, verification.secret)) {
    throw new HttpError(401, `wrong signature for ${envelope.event} delivery ${envelope.deliveryId}: the webhook's secret differs from the one in ${describeSecret(repository, forge.name)}`);
  }
  const stale = forge.staleSignature?.(delivery.headers, now);
  if (stale !== undefined) throw new HttpError(401, `stale signature for ${envelope.event} delivery ${envelope.deliveryId}: ${stale}`);
}

function describeSecret(repository: ReturnType<typeof findRepository>, forge: string): string {
  return repository?.secret ? `the secret of repository ${repository.repo}` : `forges.${forge}.secret`;
}

/** The head a branch or tag push brought, which the journal matches against pushes found by polling. */
function pushedHead(event: HookEvent): PushedHead | undefined {
  if ((event.kind !== "push" && event.kind !== "tag") || event.deleted) return undefined;
  if (event.repo === undefined || event.ref === undefined || event.rev === undefined) return undefined;
  return { repo: event.repo, ref: event.ref, shas: [event.rev], polled: false };
}

function unmatchedMessage(event: HookEvent, routing: RoutingResult): string {
  if (routing.note) return `no job: ${routing.note}`;
  const what = event.branch ?? event.tag ?? event.ref ?? "";
  return `no job of ${event.repo} matches this ${event.kind}${what ? ` of ${what}` : ""}; see trace for each job's reason`;
}

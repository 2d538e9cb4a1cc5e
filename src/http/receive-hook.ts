// The hook endpoint's work once the body is read: the signature, then the receive pipeline that
// `redeliver` and catch-up share (src/receive: normalise → route → journal), then the answer. The
// journal's transaction tells a duplicate from a new delivery, so two copies of one delivery, or two
// deliveries of one push, cannot both be queued.

import type { ParameterizedContext } from "koa";
import { withoutSecrets } from "../forges/index.ts";
import type { Forge } from "../forges/types.ts";
import { commitDelivery, type Committed } from "../receive/commit-delivery.ts";
import { deliveryInput } from "../receive/delivery-input.ts";
import { duplicateNote, type DeliveryInput } from "../journal/index.ts";
import { planDelivery, type Located, type Plan } from "../receive/plan-delivery.ts";
import { forgeWideSecret, verificationFor } from "../routing/index.ts";
import type { Config, Envelope, HookEvent, RoutingResult } from "../types.ts";
import { clientAddress } from "./client-address.ts";
import { keptHeaders } from "./kept-headers.ts";
import { parsePayload, readPayloadText } from "./read-delivery.ts";
import type { HookServices, HookState } from "./services.ts";
import { verifyDelivery } from "./verify-delivery.ts";

/** What the edge checks found out before the body was read. */
export interface Edge {
  forge: Forge;
  envelope: Envelope;
  contentType: "json" | "form";
}

type HookContext = ParameterizedContext<HookState>;

/** `verified` is told once the signature holds (or the repository is insecure): the body's bytes are no longer unverified. */
export async function receiveHook(
  ctx: HookContext, edge: Edge, body: Buffer, config: Config, services: HookServices, verified: () => void,
): Promise<void> {
  // Prepared in a plain function, not here: V8 keeps every local of an async function alive across
  // its awaits, and the parsed payload (tens of KB of objects) would then live through the journal's
  // commit and its sync, to be copied by the scavenges meanwhile (~5 % of their time at c=50).
  const prepared = prepareDelivery(ctx, edge, body, config, services.now(), verified);
  // Committed with the other deliveries of this turn of the event loop (group commit), durably,
  // before anything is answered.
  const committed = await commitDelivery(services, prepared.input, prepared.plan);
  answer(ctx, prepared, committed, config);
}

/** A delivery verified and planned, ready for the journal. */
interface Prepared {
  input: DeliveryInput;
  plan: Plan;
}

/** Verifies, parses, normalises and plans; throws HttpError for what is refused. */
function prepareDelivery(
  ctx: HookContext, edge: Edge, body: Buffer, config: Config, receivedAt: number, verified: () => void,
): Prepared {
  const { forge, envelope } = edge;
  const unparsed = readPayloadText(ctx.headers, body, edge.contentType);
  // When the secret cannot depend on the repository, an unsigned body is refused before its JSON
  // is parsed: a 25 MB body of garbage costs a hash, not a heap of objects.
  const secret = forgeWideSecret(config, forge.name);
  /** Which of the secrets verified it (its position in the config's list), for the journal. */
  let secretIndex: number | undefined;
  if (secret) {
    secretIndex = verifyDelivery(forge, unparsed, secret, { repoName: undefined, repository: undefined }, envelope, receivedAt);
    verified();
  }
  const delivery = parsePayload(unparsed);
  // What gets normalised, routed and journaled is the payload without its secret fields; the
  // signature is checked over the bytes the forge sent (\`delivery\`), before anything is routed.
  const kept = withoutSecrets(delivery.payload, delivery.payloadText);
  const check = (located: Located) => {
    if (!secret) {
      secretIndex = verifyDelivery(forge, delivery, verificationFor(config, forge.name, located.repository), located, envelope, receivedAt);
      verified();
    }
    // For the one log line of this delivery (create-app's answer logging).
    if (located.repoName !== undefined) ctx.state.repo = located.repoName;
  };
  const plan = planDelivery(config, forge, envelope, kept.payload, check);
  if (plan.kind === "routed" && plan.event.ref !== undefined) ctx.state.ref = plan.event.ref;
  const input = deliveryInput({
    forge: forge.name,
    deliveryId: envelope.deliveryId,
    forgeEvent: envelope.event,
    headers: keptHeaders(ctx.headers),
    payload: kept.text,
    remoteAddress: clientAddress(ctx, config.server.trustProxy),
    receivedAt,
    ...(secretIndex === undefined ? {} : { secretIndex }),
  }, plan);
  return { input, plan };
}

function answer(ctx: HookContext, prepared: Prepared, committed: Committed, config: Config): void {
  const { plan } = prepared;
  const { id, duplicateOf } = committed;
  const duplicate = committed.outcome === "duplicate";
  const delivery = prepared.input.deliveryId;
  if (plan.kind !== "routed") {
    ctx.status = 200;
    ctx.body = { message: plan.kind === "ping" ? "pong" : `ignored: ${plan.note}`, id, delivery };
    return;
  }
  const { routing } = plan;
  if (duplicate) {
    ctx.status = 200;
    ctx.body = duplicateOf === undefined
      ? {
        message: `duplicate: delivery ${delivery} was accepted before (journal id ${id}); nothing queued again; to build it again on purpose: laminar-hooks redeliver ${id}`,
        duplicate: true,
        id,
        delivery,
      }
      : {
        // The same sentence as the note `show` and the page give this copy.
        message: `${duplicateNote(duplicateOf)}; nothing queued again`,
        duplicate: true,
        id,
        delivery,
        duplicateOf: { id: duplicateOf.id, delivery: duplicateOf.deliveryId },
      };
    return;
  }
  if (routing.jobs.length === 0) {
    ctx.status = 200;
    ctx.body = { message: unmatchedMessage(plan.event, routing), id, delivery, trace: routing.trace };
    return;
  }
  ctx.status = 202;
  ctx.body = {
    message: `accepted: ${routing.jobs.length === 1 ? "1 job" : `${routing.jobs.length} jobs`} will be queued in Laminar (${routing.jobs.map((job) => job.job).join(", ")})`,
    id,
    delivery,
    jobs: routing.jobs.map((job) => ({
      job: job.job,
      ...(config.laminar.baseUrl ? { url: `${config.laminar.baseUrl}/jobs/${job.job}` } : {}),
    })),
    trace: routing.trace,
  };
}

function unmatchedMessage(event: HookEvent, routing: RoutingResult): string {
  if (routing.note) return `no job: ${routing.note}`;
  const what = event.branch ?? event.tag ?? event.ref ?? "";
  return `no job of ${event.repo} matches this ${event.kind}${what ? ` of ${what}` : ""}; see trace for each job's reason`;
}

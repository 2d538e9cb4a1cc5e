import { FORGE_LABELS } from "../forges/shared/forge-labels.ts";
import type { HookEvent } from "../types.ts";

/**
 * LAMINAR_REASON: one line that Laminar shows on the run's page, such as
 * `GitHub push to sbrl/wiki master (3f2c1a9) by sbrl`. Newlines are folded so that a crafted
 * branch or title cannot forge extra lines.
 */
export function buildReason(event: HookEvent): string {
  const forge = FORGE_LABELS[event.forge];
  const repo = event.repo ?? "(no repository)";
  const commit = event.rev ? ` (${event.rev.slice(0, 7)})` : "";
  const by = event.sender ? ` by ${event.sender}` : "";
  let text: string;
  switch (event.kind) {
    case "push":
      text = `${forge} push to ${repo} ${event.branch ?? event.ref ?? ""}${commit}${by}`;
      break;
    case "tag":
      text = `${forge} tag ${event.tag ?? event.ref ?? ""} on ${repo}${commit}${by}`;
      break;
    case "pull_request":
      text = `${forge} pull request #${event.pr ?? "?"} (${event.action ?? "?"}) on ${repo}: ${event.branch ?? "?"} → ${event.baseBranch ?? "?"}${commit}${by}`;
      break;
    case "release":
      text = `${forge} release ${event.tag ?? ""} ${event.action ?? ""} on ${repo}${commit}${by}`;
      break;
    case "ping":
      text = `${forge} ping${by}`;
      break;
  }
  return text.replace(/[\r\n\t]+/g, " ").replace(/ {2,}/g, " ").trim().slice(0, 500);
}

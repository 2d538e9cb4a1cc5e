import { isZeroSha } from "../forges/shared/refs.ts";
import type { HookEvent } from "../types.ts";

/**
 * The built-in parameters of DESIGN.md "Events and parameters", in a fixed order. Empty values
 * are left out, and so is an all-zero `before` (a new branch has no previous head; a script
 * running `git diff $before..$rev` is better served by its absence).
 */
export function buildParams(event: HookEvent, deliveryId: string): Record<string, string> {
  const before = isZeroSha(event.before) ? undefined : event.before;
  const entries: [string, string | number | undefined][] = [
    ["rev", event.rev],
    ["ref", event.ref],
    ["branch", event.branch],
    ["tag", event.tag],
    ["before", before],
    ["repo", event.repo],
    ["clone_url", event.cloneUrl],
    ["ssh_url", event.sshUrl],
    ["event", event.kind],
    ["forge", event.forge],
    ["pr", event.pr],
    ["base_branch", event.baseBranch],
    ["sender", event.sender],
    ["delivery", deliveryId],
  ];
  const params: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (value !== undefined && value !== "") params[name] = String(value);
  }
  return params;
}

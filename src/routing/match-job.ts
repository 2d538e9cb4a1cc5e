// Whether one job rule takes an event, and a sentence that says why or why not. The sentence is
// what a user reads in the 200 answer and in `show`, so it names the values on both sides.

import { DEFAULT_PULL_REQUEST_ACTIONS, DEFAULT_RELEASE_ACTIONS, type HookEvent, type JobRule } from "../types.ts";
import { matchesGlob } from "./glob.ts";
import { matchPaths } from "./match-paths.ts";
import { skipMarker } from "./skip-marker.ts";

interface RuleMatch {
  matched: boolean;
  reason: string;
}

export function matchJob(rule: JobRule, event: HookEvent): RuleMatch {
  const match = matchEvent(rule, event);
  if (!match.matched || event.kind === "push") return match;
  // Only branch pushes have a head commit to skip on and a list of changed files: say so rather
  // than leave a user wondering why `paths:` let a pull request through.
  const notes: string[] = [];
  if (rule.paths !== undefined || rule.ignorePaths !== undefined) notes.push("path filters apply to pushes only");
  const marker = event.kind === "tag" ? skipMarker(event.headCommitMessage) : undefined;
  if (marker !== undefined) notes.push(`head commit says ${marker}, but tags build anyway`);
  return notes.length > 0 ? yes([match.reason, ...notes].join("; ")) : match;
}

function matchEvent(rule: JobRule, event: HookEvent): RuleMatch {
  if (event.kind === "ping") return no("a ping starts no job");
  if (!rule.events.includes(event.kind)) {
    return no(`event ${event.kind} is not in events [${rule.events.join(", ")}]`);
  }
  if (event.deleted) return no(`the ${event.kind === "tag" ? "tag" : "branch"} was deleted; deletions start nothing`);

  switch (event.kind) {
    case "push": {
      const branch = matchName("branch", event.branch, rule.branches);
      if (!branch.matched) return branch;
      return matchPush(rule, event, branch.reason);
    }
    case "tag":
      return matchName("tag", event.tag, rule.tags);
    case "pull_request": {
      const action = matchAction(event.action, rule.actions ?? DEFAULT_PULL_REQUEST_ACTIONS);
      if (!action.matched) return action;
      // As in most CI systems, a pull request's branch filter is on its target: "PRs into master".
      return matchName("base branch", event.baseBranch, rule.branches, action.reason);
    }
    case "release": {
      const action = matchAction(event.action, rule.actions ?? DEFAULT_RELEASE_ACTIONS);
      if (!action.matched) return action;
      return matchName("tag", event.tag, rule.tags, action.reason);
    }
  }
}

/** After the branch filter: `[skip ci]`, then the path filters. */
function matchPush(rule: JobRule, event: HookEvent, lead: string): RuleMatch {
  const reasons = [lead];
  const marker = skipMarker(event.headCommitMessage);
  if (marker !== undefined) {
    if (rule.skipCi) return no(`head commit says ${marker}`);
    reasons.push(`head commit says ${marker}, but skip_ci: false`);
  }
  const paths = matchPaths(rule, event);
  if (paths !== undefined) {
    if (!paths.matched) return paths;
    reasons.push(paths.reason);
  }
  return yes(reasons.join("; "));
}

function matchName(what: string, name: string | undefined, globs: readonly string[] | undefined, prefix?: string): RuleMatch {
  const lead = prefix ? `${prefix}, ` : "";
  if (globs === undefined) return yes(`${lead}every ${what} matches (no filter)`);
  if (name === undefined) return no(`${lead}the delivery names no ${what} to match [${globs.join(", ")}]`);
  const hit = globs.find((glob) => matchesGlob(name, glob));
  return hit === undefined
    ? no(`${lead}${what} "${name}" matches none of [${globs.join(", ")}]`)
    : yes(`${lead}${what} "${name}" matches "${hit}"`);
}

function matchAction(action: string | undefined, allowed: readonly string[]): RuleMatch {
  if (action !== undefined && allowed.includes(action)) return yes(`action "${action}"`);
  return no(`action "${action ?? "(none)"}" is not in actions [${allowed.join(", ")}]`);
}

const yes = (reason: string): RuleMatch => ({ matched: true, reason });
const no = (reason: string): RuleMatch => ({ matched: false, reason });

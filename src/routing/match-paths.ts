// Path filters: whether a push changed files a job cares about. Filters decide on the forge's list
// of changed files, which is often short (forges send a limited number of commits); a list that
// may be short never skips a build, it builds and the trace says why.

import type { HookEvent, JobRule } from "../types.ts";
import { FORGE_LABELS } from "../forges/shared/forge-labels.ts";
import { matchesAnyGlob, matchesGlob } from "./glob.ts";

interface PathMatch {
  matched: boolean;
  reason: string;
}

/**
 * A file counts when it matches `paths` (or there is none) and does not match `ignore_paths`; the
 * job builds when some file counts. So `paths` alone builds if any file matches, `ignore_paths`
 * alone skips only if every file matches, and both together skip a push that only touched ignored
 * files within `paths`.
 */
export function matchPaths(rule: Pick<JobRule, "paths" | "ignorePaths">, event: HookEvent): PathMatch | undefined {
  const { paths, ignorePaths } = rule;
  if (paths === undefined && ignorePaths === undefined) return undefined;
  const changed = event.changedFiles;
  if (changed === undefined || changed.paths.length === 0) {
    return { matched: true, reason: "the payload lists no changed files; building anyway" };
  }
  if (!changed.complete) {
    return { matched: true, reason: `the payload does not list every changed file (${whyIncomplete(event)}); building anyway` };
  }
  const inPaths = anyOf(paths, true);
  const ignored = anyOf(ignorePaths, false);

  const counted = changed.paths.find((file) => inPaths(file) && !ignored(file));
  if (counted !== undefined) {
    const glob = paths?.find((g) => matchesGlob(counted, g));
    return { matched: true, reason: glob === undefined ? `"${counted}" is not in ignore_paths` : `"${counted}" matches paths "${glob}"` };
  }
  const files = listFiles(changed.paths);
  if (paths === undefined) return { matched: false, reason: `every changed file matches ignore_paths [${ignorePaths!.join(", ")}] (${files})` };
  if (ignorePaths === undefined || !changed.paths.some(inPaths)) {
    return { matched: false, reason: `no changed file matches paths [${paths.join(", ")}] (${files})` };
  }
  return { matched: false, reason: `no changed file outside ignore_paths [${ignorePaths.join(", ")}] matches paths [${paths.join(", ")}] (${files})` };
}

/** A test of one path against any of `globs`; `otherwise` when there are none. */
function anyOf(globs: readonly string[] | undefined, otherwise: boolean): (file: string) => boolean {
  if (globs === undefined) return () => otherwise;
  return (file) => matchesAnyGlob(file, globs);
}

/** The files a trace line names: enough to recognise the push, not a wall of text. */
function listFiles(files: readonly string[]): string {
  const shown = files.slice(0, 3).join(", ");
  return files.length > 3 ? `${shown} and ${files.length - 3} more` : shown;
}

function whyIncomplete(event: HookEvent): string {
  if (event.before === undefined) return "a new branch: the forge lists only some of its commits";
  switch (event.forge) {
    case "github":
      return "GitHub sends at most 20 commits";
    case "gitlab":
      return "GitLab sends the newest 20 commits";
    default:
      return `${FORGE_LABELS[event.forge]} sends only some of the commits, or none of their files`;
  }
}

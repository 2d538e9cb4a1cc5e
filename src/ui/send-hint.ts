// The "nothing yet" state's advice: the exact `laminar-hooks send` command that makes a first
// delivery for this config, so a new user sees the whole path work before a forge is set up.

import { isGlob } from "../routing/glob.ts";
import type { Config } from "../types.ts";

/**
 * A shell command line; every part comes from the config or the page's own origin (`http://HOST:PORT`
 * as the browser reached it), never a secret: `send` reads it from the config itself.
 */
export function sendHint(config: Config, origin: string): string {
  const repo = config.repositories.find((candidate) => !isGlob(candidate.repo));
  const forge = repo?.forge ?? (Object.keys(config.forges)[0] as string | undefined) ?? "github";
  const branch = repo?.jobs.flatMap((job) => (job.events.includes("push") ? (job.branches ?? []) : [])).find((name) => !isGlob(name));
  const parts = [
    "laminar-hooks send",
    `--url ${quote(hookUrl(config, origin))}`,
    `--forge ${forge}`,
    `--repo ${quote(repo?.repo ?? "OWNER/NAME")}`,
    ...(branch && branch !== "main" ? [`--branch ${quote(branch)}`] : []),
    `--config ${quote(config.file)}`,
  ];
  return parts.join(" ");
}

/** Where this service takes hooks: the forges' URL when the config says it, else the one the browser used. */
function hookUrl(config: Config, origin: string): string {
  return config.server.publicUrl ?? `${origin}${config.server.path === "/" ? "/" : config.server.path}`;
}

/** Single quotes for the shell when a word needs them. */
function quote(word: string): string {
  return /^[\w./:@-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

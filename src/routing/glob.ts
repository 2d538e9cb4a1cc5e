// Glob tests with picomatch, each glob compiled once: picomatch.isMatch compiles its glob into a
// regular expression on every call, which was ~1 % of the CPU per delivery under load. The globs
// come from the config, so the cache stays small; it is emptied if reloads ever grow it past a
// bound.

import picomatch from "picomatch";

interface GlobOptions {
  /** Compare without case (repository names). */
  nocase?: boolean;
}

const MAX_CACHED = 2000;
const compiled = new Map<string, (value: string) => boolean>();

/** Whether `value` matches `glob`; a leading dot is an ordinary character (`dot: true`). */
export function matchesGlob(value: string, glob: string, options: GlobOptions = {}): boolean {
  const key = `${options.nocase === true ? "i" : "c"}:${glob}`;
  let matcher = compiled.get(key);
  if (matcher === undefined) {
    if (compiled.size >= MAX_CACHED) compiled.clear();
    matcher = picomatch(glob, { dot: true, nocase: options.nocase === true });
    compiled.set(key, matcher);
  }
  return matcher(value);
}

/** Whether `value` matches any of `globs`. */
export function matchesAnyGlob(value: string, globs: readonly string[]): boolean {
  return globs.some((glob) => matchesGlob(value, glob));
}

/** Whether a config pattern is a glob rather than one literal name (`sbrl/*` is, `sbrl/wiki` is not). */
export function isGlob(pattern: string): boolean {
  return picomatch.scan(pattern).isGlob;
}

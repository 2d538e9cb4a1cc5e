// Reload on a change of the config file. Editors and `git checkout` save by writing a new file and
// renaming it over the old one, which a watch on the file itself would miss after the first time:
// so the folder is watched, and its events for the file's name are taken.

import { createHash } from "node:crypto";
import { readFileSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

interface WatchLogger {
  warn(object: object, message: string): void;
}

/** Calls `onChange` once the file's content has changed and settled; returns a function that stops watching. */
export function watchConfigFile(file: string, onChange: () => void, logger: WatchLogger, settleMs = 150): () => void {
  const name = basename(file);
  let lastDigest = digest(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed.toString() !== name) return;
      clearTimeout(timer);
      // Several events come for one save (write, rename, chmod): act once it is quiet.
      timer = setTimeout(() => {
        const current = digest(file);
        if (current === undefined || current === lastDigest) return;
        lastDigest = current;
        onChange();
      }, settleMs);
    });
  } catch (error) {
    logger.warn({ err: error }, "cannot watch the config file; reload with SIGHUP");
    return () => {};
  }
  watcher.on("error", (error) => logger.warn({ err: error }, "watching the config file failed; reload with SIGHUP"));
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

/** undefined while the file is missing (between the two steps of a rename). */
function digest(file: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
}

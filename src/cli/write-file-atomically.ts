import { chownSync, closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { RepoCommandError } from "./forge-refusal.ts";

/** Who owns a file and its permission bits: what a rewrite of it keeps. */
interface FileOwnership {
  uid: number;
  gid: number;
  mode: number;
}

function ownershipOf(path: string): FileOwnership {
  const stat = statSync(path);
  return { uid: stat.uid, gid: stat.gid, mode: stat.mode & 0o7777 };
}

/**
 * Writes `text` to `path` through a temporary file in the same folder, renamed over it: a reader
 * (the service watching the config) sees the old file or the new one, never half of one. The new
 * file gets `ownership` (the old file's owner and mode; a secret: 0600) before anything is in it.
 */
function writeFileAtomically(path: string, text: string, ownership: FileOwnership): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(temporary, "wx", ownership.mode);
  try {
    try {
      // Only root may give a file away; a file already ours needs no chown.
      if (process.getuid?.() !== ownership.uid || process.getgid?.() !== ownership.gid) chownSync(temporary, ownership.uid, ownership.gid);
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  // The rename is durable once the folder is.
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** The secret file first (0600, the config's owner), then the config over the old one; the secret goes again if the config cannot be written. */
export function writeConfigAndSecret(file: string, text: string, secret?: { value: string; file: string }): void {
  const ownership = ownershipOf(file);
  if (secret !== undefined) writeFileAtomically(secret.file, `${secret.value}\n`, { ...ownership, mode: 0o600 });
  try {
    writeFileAtomically(file, text, ownership);
  } catch (error) {
    if (secret !== undefined) rmSync(secret.file, { force: true });
    throw new RepoCommandError(`${file}: cannot write the config (${(error as NodeJS.ErrnoException).code ?? String(error)}); nothing was changed`);
  }
}

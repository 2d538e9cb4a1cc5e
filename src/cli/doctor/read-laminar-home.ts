// Reads what doctor needs of Laminar's home: which jobs have a .run, and the names each env file sets.

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { envFileNames, type EnvFile, type LaminarHome } from "./check-laminar-home.ts";

/** The home, or the reason it cannot be read (missing, permission denied): doctor then says so. */
export async function readLaminarHome(path: string): Promise<LaminarHome | { error: string }> {
  let jobFiles: string[];
  try {
    jobFiles = await readdir(join(path, "cfg", "jobs"));
  } catch (error) {
    return { error: `${join(path, "cfg", "jobs")} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  const envFiles: EnvFile[] = [];
  const readEnv = async (relative: string, scope: EnvFile["scope"]) => {
    const text = await readFile(join(path, relative), "utf8").catch(() => undefined);
    if (text !== undefined) envFiles.push({ path: relative, scope, names: envFileNames(text) });
  };
  await readEnv("cfg/env", { kind: "all" });
  const contexts = await readdir(join(path, "cfg", "contexts")).catch(() => [] as string[]);
  for (const name of contexts.filter((file) => file.endsWith(".env")).sort()) {
    await readEnv(`cfg/contexts/${name}`, { kind: "context", context: name.slice(0, -".env".length) });
  }
  for (const name of jobFiles.filter((file) => file.endsWith(".env")).sort()) {
    await readEnv(`cfg/jobs/${name}`, { kind: "job", job: name.slice(0, -".env".length) });
  }
  const runnable = new Set(jobFiles.filter((file) => file.endsWith(".run")).map((file) => file.slice(0, -".run".length)));
  return { path, runnable, envFiles };
}

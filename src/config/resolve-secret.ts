import { isAbsolute, resolve } from "node:path";
import type { SecretRef } from "./schema.ts";
import { Secret } from "./secret.ts";

export interface SecretSources {
  env: Readonly<Record<string, string | undefined>>;
  readFile: (path: string) => string;
  /** Folder that relative secret files are taken from: the config file's. */
  baseDir: string;
}

/**
 * The Secret a reference names. One this process cannot read (a variable unset, a file missing or
 * not readable) is an unreadable Secret whose `unreadable` says why, prefixed with `where` (its
 * place in the config); the loader decides whether that is an error (load-config.ts). A string is
 * a problem wherever the config is read: a file that was read and is empty is empty for the
 * service too.
 */
export function resolveSecret(ref: SecretRef, sources: SecretSources, where: string): Secret | string {
  if (typeof ref === "string") return new Secret(ref, "the config file");
  if ("env" in ref) {
    const source = `env ${ref.env}`;
    const value = sources.env[ref.env];
    if (value === undefined || value === "") return Secret.unreadable(source, `${where}: environment variable ${ref.env} is not set or empty`);
    return new Secret(value, source);
  }
  const path = isAbsolute(ref.file) ? ref.file : resolve(sources.baseDir, ref.file);
  const source = `file ${path}`;
  let text: string;
  try {
    text = sources.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    return Secret.unreadable(source, `${where}: cannot read secret file ${path} (${code})`);
  }
  // Editors and `echo` leave a final newline that the forge's secret does not have.
  const value = text.replace(/\r?\n$/, "");
  if (value === "") return `${where}: secret file ${path} is empty`;
  return new Secret(value, source);
}

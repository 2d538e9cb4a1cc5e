import { isAbsolute, resolve } from "node:path";
import type { SecretRef } from "./schema.ts";
import { Secret } from "./secret.ts";

export interface SecretSources {
  env: Readonly<Record<string, string | undefined>>;
  readFile: (path: string) => string;
  /** Folder that relative secret files are taken from: the config file's. */
  baseDir: string;
}

/** A Secret, or the sentence that says why it could not be read (never the value). */
export function resolveSecret(ref: SecretRef, sources: SecretSources): Secret | string {
  if (typeof ref === "string") return new Secret(ref, "the config file");
  if ("env" in ref) {
    const value = sources.env[ref.env];
    if (value === undefined || value === "") return `environment variable ${ref.env} is not set or empty`;
    return new Secret(value, `env ${ref.env}`);
  }
  const path = isAbsolute(ref.file) ? ref.file : resolve(sources.baseDir, ref.file);
  let text: string;
  try {
    text = sources.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    return `cannot read secret file ${path} (${code})`;
  }
  // Editors and `echo` leave a final newline that the forge's secret does not have.
  const value = text.replace(/\r?\n$/, "");
  if (value === "") return `secret file ${path} is empty`;
  return new Secret(value, `file ${path}`);
}

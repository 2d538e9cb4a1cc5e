import { cut } from "./describe-run.ts";

/** What `status.context` may name (checked at load by the config's schema). */
interface ContextFields {
  job: string;
  event: string;
  forge: string;
  repo: string;
}

/** GitLab's `name` takes 255 characters; nobody reads more. */
const MAX_CONTEXT = 255;

/** `laminar/{{ job }}` → `laminar/wiki`. */
export function renderContext(template: string, fields: ContextFields): string {
  const text = template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_match, name: string) =>
    Object.hasOwn(fields, name) ? fields[name as keyof ContextFields] : "");
  return cut(text, MAX_CONTEXT);
}

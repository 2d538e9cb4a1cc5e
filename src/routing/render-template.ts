import type { Template } from "../types.ts";

/**
 * A `params` value for one delivery. A built-in parameter the delivery lacks is empty; so is a
 * payload field that is missing, null, an object or an array (a script cannot use half a JSON
 * document); numbers and booleans are written as JSON writes them. The result goes to laminarc as
 * one argument, verbatim, never through a shell.
 */
export function renderTemplate(template: Template, builtIns: Readonly<Record<string, string>>, payload: unknown): string {
  let text = "";
  for (const part of template.parts) {
    if (part.kind === "text") text += part.text;
    else if (part.kind === "param") text += builtIns[part.name] ?? "";
    else text += scalar(readPath(payload, part.path));
  }
  return text;
}

function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (current !== null && typeof current === "object") {
      // Own keys only: `payload.constructor` must not reach Object's prototype.
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

function scalar(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}

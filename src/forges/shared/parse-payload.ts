// Payloads are parsed once, at the edge, with zod schemas that list only the fields laminar-hooks
// reads. Fields they do not list are dropped, not refused (forges add fields all the time), and not
// copied either: a loose object copied every key of an 8 KB push, ~5 % of the CPU per delivery
// under load. A payload of the wrong shape becomes a 400 that names the field, never a TypeError
// deeper in.

import type { z } from "zod";
import { HttpError } from "../../errors.ts";

/** `schema`'s output for `payload`, or HttpError(400) naming the first unusable field. */
export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown, what: string): z.output<S> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const field = formatPath(path);
  throw new HttpError(400, `${what} cannot be used: ${describeIssue(issue, field, valueAt(payload, path))}`, {
    field,
  });
}

function describeIssue(issue: z.core.$ZodIssue | undefined, field: string, value: unknown): string {
  if (field === "") return `expected a JSON object, got ${kindOf(value)}`;
  if (value === undefined) return `the field "${field}" is missing`;
  if (value === "") return `the field "${field}" is empty`;
  if (issue?.code === "invalid_type") return `the field "${field}" must be ${article(issue.expected)}, not ${kindOf(value)}`;
  return `the field "${field}" is invalid (${issue?.message ?? "unexpected value"})`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  if (type === "object") return "an object";
  // JSON.stringify writes Infinity (what JSON.parse makes of 1e400) as null.
  const shown = typeof value === "number" && !Number.isFinite(value) ? String(value) : JSON.stringify(value) ?? String(value);
  return `a ${type} (${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown})`;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

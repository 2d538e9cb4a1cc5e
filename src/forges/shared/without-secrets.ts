// The payload as laminar-hooks keeps it: the forge's JSON without the fields that carry a secret
// (SECRET_PAYLOAD_FIELDS). Run once a delivery is verified, since the signature covers the bytes as
// sent; everything after it (routing, templates, the journal, `show`) sees only what this returns.

import { SECRET_PAYLOAD_FIELDS } from "../../config/secret.ts";

interface KeptPayload {
  payload: unknown;
  /** The JSON text to journal: the text as sent when nothing was removed, else re-serialised. */
  text: string;
}

/** `payload` without its secret fields, copied along the paths it changes; `text` is what it was parsed from. */
export function withoutSecrets(payload: unknown, text: string): KeptPayload {
  let kept = payload;
  for (const path of SECRET_PAYLOAD_FIELDS) kept = withoutField(kept, path);
  // Most payloads carry none: keep their exact text rather than pay for a JSON.stringify.
  return kept === payload ? { payload, text } : { payload: kept, text: JSON.stringify(kept) };
}

/** `value` itself when `path` is absent from it, else a copy without the field. */
function withoutField(value: unknown, path: readonly string[]): unknown {
  const [key, ...rest] = path;
  if (key === undefined || !isObject(value) || !Object.hasOwn(value, key)) return value;
  const copy = { ...value };
  if (rest.length === 0) {
    delete copy[key];
    return copy;
  }
  const inner = withoutField(value[key], rest);
  if (inner === value[key]) return value;
  copy[key] = inner;
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

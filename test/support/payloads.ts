import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** The exact bytes of a fixture payload in test/fixtures/payloads/ (provenance in its SOURCES.md). */
export function payload(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/payloads/${name}`, import.meta.url));
}

/**
 * The fixture as another push of the same ref: its `before` replaced by a commit id made from
 * `label`, every other byte kept. One push builds once however many deliveries bring it
 * (src/journal/catch-up-heads.ts), so a test that means a second build sends a second push.
 */
export function anotherPush(body: Buffer, label: string): Buffer {
  const text = body.toString("utf8");
  const before = /("before"\s*:\s*")([0-9a-f]{40})"/.exec(text);
  if (before === null) throw new Error("the payload has no \"before\" commit id to replace");
  const sha = createHash("sha1").update(label).digest("hex");
  return Buffer.from(text.replace(before[0], `${before[1]}${sha}"`), "utf8");
}
